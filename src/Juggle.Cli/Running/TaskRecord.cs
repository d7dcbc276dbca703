namespace Juggle.Cli.Running;

/// <summary>One finished item: its input position, its result, and where and when it ran (for timelines).</summary>
/// <param name="Index">Position in the input, from 0.</param>
/// <param name="Result">What the work function returned.</param>
/// <param name="Lane">The worker that ran it: a thread name, an async slot, or "main".</param>
/// <param name="Start">Start, as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value.</param>
/// <param name="End">End, same clock.</param>
internal sealed record TaskRecord<TResult>(long Index, TResult Result, string Lane, long Start, long End);
