using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Juggle.Cli.Html;

/// <summary>What to pull out of a page: the <c>&lt;title&gt;</c>, or the first element matching a CSS selector.</summary>
internal sealed partial class PageQuery
{
    public const string Unknown = "Unknown";

    private PageQuery(string? selector, long maxBytes)
    {
        Selector = selector;
        MaxBytes = maxBytes;
        var tag = selector is null ? "title" : SimpleTag().IsMatch(selector) ? selector : null;
        StopMarker = tag is null ? null : System.Text.Encoding.ASCII.GetBytes("</" + tag.ToLowerInvariant());
    }

    /// <summary>The CSS selector, or null for the document title.</summary>
    public string? Selector { get; }

    /// <summary>Read at most this many body bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>ASCII closing tag after which reading can stop (<c>&lt;/title</c>), or null to read up to <see cref="MaxBytes"/>.</summary>
    public byte[]? StopMarker { get; }

    /// <summary>The JSON key for the value: <c>title</c> or <c>value</c>.</summary>
    public string ValueName => Selector is null ? "title" : "value";

    /// <summary>Builds a query, rejecting selectors AngleSharp can't parse with a usage error.</summary>
    public static PageQuery Create(string? selector, long maxBytes)
    {
        if (maxBytes < 1024)
        {
            throw new UsageException($"--max-bytes {maxBytes} is too small; give at least 1024 (e.g. --max-bytes 1000000).");
        }

        if (selector is not null)
        {
            selector = selector.Trim();
            try
            {
                new HtmlParser().ParseDocument("<html></html>").QuerySelector(selector);
            }
            catch (DomException ex)
            {
                throw new UsageException($"--select '{selector}' is not a valid CSS selector ({ex.Message}); try e.g. --select h1 or --select 'main > h1'.", ex);
            }
        }

        return new PageQuery(selector, maxBytes);
    }

    /// <summary>Extracts the value from decoded HTML: whitespace collapsed, entities decoded, <see cref="Unknown"/> when absent.</summary>
    public string Extract(string html)
    {
        if (Selector is null && TitleScanner.TryExtract(html, out var title))
        {
            title = TextTidy.Collapse(title);
            return title.Length == 0 ? Unknown : title;
        }

        var document = new HtmlParser().ParseDocument(html);
        var text = Selector is null ? document.Title : document.QuerySelector(Selector)?.TextContent;
        text = text is null ? null : TextTidy.Collapse(text);
        return string.IsNullOrEmpty(text) ? Unknown : text;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SimpleTag();
}
