namespace Juggle.Cli.Input;

/// <summary>
/// One URL from the command line or an input file, with where it came from and why it is unusable, if it is. A class:
/// the executors' generic code over reference types is precompiled (ReadyToRun), over a struct it is JIT-compiled.
/// </summary>
/// <param name="Line">1-based line number in the input file, or argument position.</param>
/// <param name="Text">The URL text as given (trimmed).</param>
/// <param name="Error">Why the line is not a usable http(s) URL, or null.</param>
internal sealed record UrlLine(long Line, string Text, string? Error);
