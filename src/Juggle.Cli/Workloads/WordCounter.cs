namespace Juggle.Cli.Workloads;

/// <summary>Seed 004's CPU-bound step: tokenize text into lower-case words and count them.</summary>
internal static class WordCounter
{
    /// <summary>Counts words (runs of letters, digits and apostrophes inside words) in <paramref name="text"/>, case-folded.</summary>
    public static Dictionary<string, int> Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> word = stackalloc char[64];
        var length = 0;
        var span = text.AsSpan();
        for (var i = 0; i <= span.Length; i++)
        {
            var c = i < span.Length ? span[i] : ' ';
            var inner = c == '\'' && length > 0 && i + 1 < span.Length && char.IsLetter(span[i + 1]);
            if (char.IsLetterOrDigit(c) || inner)
            {
                if (length < word.Length)
                {
                    word[length] = char.ToLowerInvariant(c);
                }

                length++;
            }
            else if (length > 0)
            {
                var key = word[..Math.Min(length, word.Length)];
                lookup[key] = lookup.TryGetValue(key, out var n) ? n + 1 : 1;
                length = 0;
            }
        }

        return counts;
    }

    /// <summary>Counts the words of a file (UTF-8).</summary>
    public static Dictionary<string, int> CountFile(string path) => Count(File.ReadAllText(path));

    /// <summary>Adds <paramref name="part"/> into <paramref name="total"/>.</summary>
    public static void Merge(Dictionary<string, int> total, Dictionary<string, int> part)
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(part);
        foreach (var (word, n) in part)
        {
            total[word] = total.TryGetValue(word, out var m) ? m + n : n;
        }
    }

    public static IReadOnlyList<KeyValuePair<string, int>> Top(Dictionary<string, int> counts, int n) =>
        counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(n).ToList();
}
