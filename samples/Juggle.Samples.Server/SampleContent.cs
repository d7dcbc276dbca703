using System.Text;

namespace Juggle.Samples.Server;

/// <summary>The sites of the seed articles, recreated offline: blog posts, a Pokédex, web pages, PDFs and books.</summary>
public static class SampleContent
{
    /// <summary>Filler text for page bodies.</summary>
    public const string LoremIpsum =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.";

    /// <summary>Seed 000's seven Bite code! posts: (path, title).</summary>
    public static IReadOnlyList<(string Path, string Title)> BlogPosts { get; } =
    [
        ("/p/relieving-your-python-packaging-pain", "Relieving your Python packaging pain - Bite code!"),
        ("/p/hype-cycles", "XML is the future - Bite code!"),
        ("/p/why-not-tell-people-to-simply-use", "Why not tell people to \"simply\" use pyenv, poetry or anaconda"),
        ("/p/nobody-ever-paid-me-for-code", "Nobody ever paid me for code - Bite code!"),
        ("/p/python-cocktail-mix-a-context-manager", "Python cocktail: mix a context manager and an iterator in equal parts"),
        ("/p/the-costly-mistake-so-many-makes", "The costly mistake so many make with numpy and pandas"),
        ("/p/the-weirdest-python-keyword", "The weirdest Python keyword - Bite code!"),
    ];

    /// <summary>Seed 003's first 20 Pokémon, by Pokédex number (index 0 is #1).</summary>
    public static IReadOnlyList<string> Pokemon { get; } =
    [
        "Bulbasaur", "Ivysaur", "Venusaur", "Charmander", "Charmeleon", "Charizard", "Squirtle", "Wartortle",
        "Blastoise", "Caterpie", "Metapod", "Butterfree", "Weedle", "Kakuna", "Beedrill", "Pidgey", "Pidgeotto",
        "Pidgeot", "Rattata", "Raticate",
    ];

    /// <summary>Seed 004's three Project Gutenberg books: (path, title).</summary>
    public static IReadOnlyList<(string Path, string Title)> Books { get; } =
    [
        ("/cache/epub/376/pg376.txt", "A Journal of the Plague Year"),
        ("/files/84/84-0.txt", "Frankenstein; or, the Modern Prometheus"),
        ("/cache/epub/844/pg844.txt", "The Importance of Being Earnest"),
    ];

    private static readonly string[] s_vocabulary =
    [
        "the", "of", "and", "to", "a", "in", "i", "that", "was", "it", "he", "my", "with", "his", "as", "had", "for",
        "which", "but", "not", "you", "by", "at", "be", "me", "on", "her", "this", "all", "from", "so", "were", "they",
        "have", "is", "one", "when", "their", "would", "or", "been", "if", "we", "him", "could", "there", "some", "them",
        "no", "into", "upon", "more", "than", "those", "people", "city", "house", "time", "great", "life", "death",
        "plague", "street", "night", "father", "friend", "creature", "heart", "mind", "nature", "world", "eyes", "hope",
        "misery", "science", "monster", "ice", "mountains", "letter", "name", "earnest", "london", "country", "aunt",
        "gwendolen", "cecily", "algernon", "jack", "victor", "elizabeth", "parish", "bills", "mortality", "distemper",
        "infected", "week", "buried", "lord", "poor", "rich", "fear", "dreadful", "beautiful", "wretched", "indeed",
    ];

    /// <summary>
    /// A book-sized plain text: a Gutenberg-style header then <paramref name="words"/> words drawn (deterministically
    /// for a given <paramref name="seed"/>) with the skewed frequencies of English prose.
    /// </summary>
    public static string BookText(string title, int words, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(words);
        var random = new Random(seed);
        var text = new StringBuilder(words * 6);
        text.Append("The Project Gutenberg eBook of ").Append(title).Append("\n\n");
        for (var i = 1; i <= words; i++)
        {
            // Zipf-like: small indexes (the, of, and...) come up far more often.
            var index = (int)(s_vocabulary.Length * Math.Pow(random.NextDouble(), 2));
            var word = s_vocabulary[index];
            text.Append(i % 12 == 1 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            text.Append(i % 12 == 0 ? ".\n" : i % 5 == 0 ? ", " : " ");
        }

        return text.ToString();
    }

    /// <summary>Pseudo-random bytes that start like a PDF, <paramref name="size"/> bytes long.</summary>
    public static byte[] PdfBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }
}
