namespace Cluster;

/// <summary>The work the worker nodes run: seed 004's <c>process</c>, tokenize a text and count its words.</summary>
public static class Tokenizer
{
    /// <summary>Word → count for <paramref name="text"/> (lower case, letters and apostrophes).</summary>
    [Juggle.JuggleFunction]
    public static Dictionary<string, int> CountWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetter(text[i]) || (text[i] == '\'' && start >= 0));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = text[start..i].Trim('\'').ToLowerInvariant();
                if (word.Length > 0)
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }

                start = -1;
            }
        }

        return counts;
    }
}
