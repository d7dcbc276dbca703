namespace Juggle.Cli.Reporting;

/// <summary>One task on a timeline: which worker ran it, from when to when (Stopwatch timestamps), and how it ended.</summary>
internal readonly record struct TaskSpan(string Lane, string Label, long Start, long End, bool Succeeded);
