using System.Net;

namespace Juggle.Cli.Demo;

/// <summary>
/// Seed 000's seven blog posts, served under <c>/p/{slug}</c> so the README's quick start (which fetches
/// <c>/p/hype-cycles</c> and friends from <c>juggle serve --port 5000</c>) runs as printed.
/// </summary>
internal static class BlogPosts
{
    /// <summary>(slug, title) of each post, in the seed's order.</summary>
    public static readonly (string Slug, string Title)[] All =
    [
        ("relieving-your-python-packaging-pain", "Relieving your Python packaging pain - Bite code!"),
        ("hype-cycles", "XML is the future - Bite code!"),
        ("why-not-tell-people-to-simply-use", "Why not tell people to \"simply\" use pyenv, poetry or anaconda"),
        ("nobody-ever-paid-me-for-code", "Nobody ever paid me for code - Bite code!"),
        ("python-cocktail-mix-a-context-manager", "Python cocktail: mix a context manager and an iterator in equal parts"),
        ("the-costly-mistake-so-many-makes", "The costly mistake so many make with numpy and pandas"),
        ("the-weirdest-python-keyword", "The weirdest Python keyword - Bite code!"),
    ];

    /// <summary>The post's HTML page, or <see langword="null"/> for an unknown slug.</summary>
    public static string? Page(string slug)
    {
        foreach (var (s, title) in All)
        {
            if (string.Equals(s, slug, StringComparison.Ordinal))
            {
                var encoded = WebUtility.HtmlEncode(title);
                return $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{encoded}</title></head><body><h1>{encoded}</h1><p>A stand-in for the post, served by juggle serve.</p></body></html>";
            }
        }

        return null;
    }
}
