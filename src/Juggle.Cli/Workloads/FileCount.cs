using System.Diagnostics;

namespace Juggle.Cli.Workloads;

/// <summary>One file's word counts, or why it could not be counted. JSON-friendly, so a process pool can return it.</summary>
/// <param name="Source">The input as the user gave it.</param>
/// <param name="File">The local file, if any.</param>
/// <param name="Counts">Word → count, or null on failure.</param>
/// <param name="Bytes">Bytes read.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="Milliseconds">Time to count.</param>
public sealed record FileCount(string Source, string? File, Dictionary<string, int>? Counts, long Bytes, string? Error, double Milliseconds)
{
    /// <summary>
    /// Counts one file, streamed (see <see cref="WordCounter.CountFile(string, out long)"/>); a static one-argument
    /// method that takes a path, not the text, so it runs in a worker process on any size of file. Never throws:
    /// an unreadable or binary file is this item's error. A <c>[JuggleFunction]</c>: <c>juggle worker</c> nodes
    /// run it for <c>juggle words --mode cluster</c> (the path must exist on the node: a shared or the same machine).
    /// </summary>
    [JuggleFunction]
    public static FileCount Of(WordsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var watch = Stopwatch.StartNew();
        try
        {
            var counts = WordCounter.CountFile(file.Path, out var bytes);
            return new FileCount(file.Source, file.Path, counts, bytes >= 0 ? bytes : 0, null, watch.Elapsed.TotalMilliseconds);
        }
        catch (InvalidDataException ex)
        {
            return new FileCount(file.Source, file.Path, null, 0, $"skipped: {ex.Message}", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex)
        {
            return new FileCount(file.Source, file.Path, null, 0, ex is IOException or UnauthorizedAccessException ? ex.Message : $"unexpected error: {ex.Message} ({ex.GetType().Name})", watch.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>A failed item: <paramref name="source"/> and why.</summary>
    public static FileCount Failed(string source, string error, double milliseconds = 0) => new(source, null, null, 0, error, milliseconds);
}
