using System.Net;
using System.Text;

namespace Juggle.Samples.Server;

/// <summary>One thing the <see cref="LoopbackServer"/> serves: a path, a content type and the bytes.</summary>
public sealed record SiteResource(string Path, string ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>An HTML page with a <c>&lt;title&gt;</c>, an <c>&lt;h1&gt;</c> and some paragraphs.</summary>
    public static SiteResource Html(string path, string title, string? h1 = null, string? text = null)
    {
        var page = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
            <body>
            <main>
            <h1>{WebUtility.HtmlEncode(h1 ?? title)}</h1>
            <p>{WebUtility.HtmlEncode(text ?? SampleContent.LoremIpsum)}</p>
            </main>
            </body>
            </html>
            """;
        return new SiteResource(path, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(page));
    }

    /// <summary>A UTF-8 plain-text document.</summary>
    public static SiteResource Text(string path, string text) =>
        new(path, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));
}
