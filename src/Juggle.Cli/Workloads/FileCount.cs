using System.Diagnostics;

namespace Juggle.Cli.Workloads;

/// <summary>One file's word counts, or why it could not be counted. JSON-friendly, so a process pool can return it.</summary>
/// <param name="Source">The input as the user gave it.</param>
/// <param name="File">The local file, if any.</param>
/// <param name="Counts">Word → count, or null on failure.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="Milliseconds">Time to count.</param>
internal sealed record FileCount(string Source, string? File, Dictionary<string, int>? Counts, long Bytes, string? Error, double Milliseconds)
{
    /// <summary>Counts one file; a static one-argument method, so it can run in a worker process.</summary>
    public static FileCount Of(WordsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var watch = Stopwatch.StartNew();
        try
        {
            var counts = WordCounter.CountFile(file.Path);
            return new FileCount(file.Source, file.Path, counts, new FileInfo(file.Path).Length, null, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileCount(file.Source, file.Path, null, 0, ex.Message, watch.Elapsed.TotalMilliseconds);
        }
    }

    public static FileCount Failed(string source, string error, double milliseconds = 0) => new(source, null, null, 0, error, milliseconds);
}
