using System.Text.RegularExpressions;

namespace Books;

/// <summary>Seed 004's CPU-bound step: tokenize text and count the words (a static method, ready for a process pool).</summary>
public static partial class Text
{
    /// <summary>Counts each lower-cased word of <paramref name="lines"/>.</summary>
    public static Dictionary<string, int> CountWords(string[] lines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var match in Word().EnumerateMatches(line))
            {
                var word = line.Substring(match.Index, match.Length).ToLowerInvariant();
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        return counts;
    }

    [GeneratedRegex(@"\p{L}+(?:'\p{L}+)?")]
    private static partial Regex Word();
}
