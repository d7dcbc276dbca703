namespace Juggle.Cli.Workloads;

/// <summary>A text to count: where it came from (path or URL) and the local file holding it. Public: it is the argument of <see cref="FileCount.Of"/>, which cluster worker nodes run.</summary>
/// <param name="Source">The input as the user gave it.</param>
/// <param name="Path">The local file.</param>
public sealed record WordsFile(string Source, string Path);
