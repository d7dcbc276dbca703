using System.Text;

namespace Juggle.Cli.Demo;

/// <summary>
/// Deterministic book-sized English-like texts (about 600 KB each, Zipf-distributed words) so the demo's
/// "Gutenberg" downloads are realistic in size and word counts without any network.
/// </summary>
internal static class BookText
{
    private static readonly string[] Vocabulary =
    [
        "the", "of", "and", "to", "a", "in", "that", "he", "was", "it", "his", "her", "with", "as", "had", "for",
        "i", "you", "she", "not", "on", "but", "be", "at", "him", "my", "all", "by", "have", "this", "which", "from",
        "so", "were", "they", "said", "one", "there", "when", "would", "no", "what", "them", "been", "if", "could",
        "more", "their", "into", "me", "we", "time", "upon", "little", "man", "some", "now", "very", "any", "only",
        "great", "before", "long", "night", "eyes", "house", "heart", "life", "creature", "monster", "father",
        "friend", "whale", "sea", "ship", "captain", "earnest", "importance", "lady", "bracknell", "gwendolen",
        "cecily", "algernon", "jack", "victor", "elizabeth", "ocean", "storm", "letter", "mountain", "science",
        "misery", "justice", "horror", "wonder", "gentle", "dreadful", "beautiful", "journey", "geneva", "ice",
    ];

    public const int DefaultWords = 100_000;

    public static string Generate(int seed, int words = DefaultWords)
    {
        var random = new Random(seed);
        var text = new StringBuilder(words * 6);
        text.Append("The Project Juggle eBook of Demo Book ").Append(seed).Append("\n\n");
        var sentence = 0;
        for (var i = 0; i < words; i++)
        {
            // Zipf-like: rank r has weight 1/r, sampled by inverting a power curve.
            var rank = (int)(Math.Pow(Vocabulary.Length + 1, random.NextDouble()) - 1);
            var word = Vocabulary[Math.Clamp(rank, 0, Vocabulary.Length - 1)];
            if (sentence == 0)
            {
                text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            }
            else
            {
                text.Append(word);
            }

            sentence++;
            if (sentence > 6 && random.Next(10) == 0)
            {
                text.Append(random.Next(4) == 0 ? ".\n" : ". ");
                sentence = 0;
            }
            else
            {
                text.Append(random.Next(12) == 0 ? ", " : " ");
            }
        }

        return text.Append(".\n").ToString();
    }
}
