namespace Juggle.Cli.Workloads;

/// <summary>A text to count: where it came from (path or URL) and the local file holding it.</summary>
/// <param name="Source">The input as the user gave it.</param>
/// <param name="Path">The local file.</param>
internal sealed record WordsFile(string Source, string Path);
