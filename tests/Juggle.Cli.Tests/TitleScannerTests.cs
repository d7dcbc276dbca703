using AngleSharp.Html.Parser;
using Juggle.Cli.Html;

namespace Juggle.Cli.Tests;

/// <summary>
/// The title fast path must agree with AngleSharp whenever it answers, and must give up (so AngleSharp answers)
/// whenever the markup before the title could change the result.
/// </summary>
public sealed class TitleScannerTests
{
    private static string AngleSharpTitle(string html)
    {
        var text = new HtmlParser().ParseDocument(html).Title;
        text = text is null ? null : TextTidy.Collapse(text);
        return string.IsNullOrEmpty(text) ? PageQuery.Unknown : text;
    }

    private static string FastTitle(string html)
    {
        Assert.True(TitleScanner.TryExtract(html, out var raw), "the fast path should apply");
        var text = TextTidy.Collapse(raw);
        return text.Length == 0 ? PageQuery.Unknown : text;
    }

    [Theory]
    [InlineData("<!doctype html><html><head><title>Page 7 &#8211; Juggle demo</title></head><body><h1>Page 7</h1></body></html>", "Page 7 \u2013 Juggle demo")]
    [InlineData("<title>Plain</title>", "Plain")]
    [InlineData("<TITLE>Upper case</TITLE>", "Upper case")]
    [InlineData("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x.dtd\">\n<html lang=\"en\">\n <head>\n  <meta charset=\"utf-8\">\n  <meta name=viewport content='width=device-width, initial-scale=1'>\n  <link rel=\"stylesheet\" href=\"/a.css\" />\n  <base href=/>\n  <title data-x=\"a>b\">\n   Spaced\t\n  out  \n  </title >", "Spaced out")]
    [InlineData("<html><head><meta content=\"<title>not this</title>\"><title>This one</title>", "This one")]
    [InlineData("<title>Tom & Jerry &amp; friends &lt;3 &gt; &quot;q&quot; &apos;a&apos;&nbsp;x</title>", "Tom & Jerry & friends <3 > \"q\" 'a' x")]
    [InlineData("<title>&#x2013;&#X2014;&#233;&#128512;</title>", "\u2013\u2014\u00e9\U0001F600")]
    [InlineData("<title>a </titlex> b</title>", "a </titlex> b")]
    [InlineData("<title>a <b>bold</b> c</title>", "a <b>bold</b> c")]
    [InlineData("<title>   </title>", "Unknown")]
    [InlineData("<title/>Self-closing is ignored</title>", "Self-closing is ignored")]
    [InlineData("<head></head><title>After head</title>", "After head")]
    [InlineData("text first<title>T</title>", "T")]
    public void Agrees_with_AngleSharp_when_it_answers(string html, string expected)
    {
        Assert.Equal(expected, AngleSharpTitle(html));
        Assert.Equal(expected, FastTitle(html));
    }

    [Theory]
    [InlineData("<!-- <title>commented</title> --><title>Real</title>")]
    [InlineData("<script>var s = '<title>no</title>';</script><title>Real</title>")]
    [InlineData("<style>x{}</style><title>Real</title>")]
    [InlineData("<svg><title>SVG title</title></svg><title>Real</title>")]
    [InlineData("<template><title>t</title></template><title>Real</title>")]
    [InlineData("<noscript><title>n</title></noscript><title>Real</title>")]
    [InlineData("<body><p>x</p><title>In body</title>")]
    [InlineData("<title>&eacute;t&eacute;</title>")]
    [InlineData("<title>&ampx;</title>")]
    [InlineData("<title>&#150;</title>")]
    [InlineData("<title>&#0;</title>")]
    [InlineData("<title>&#xD800;</title>")]
    [InlineData("<title>&#8211</title>")]
    [InlineData("<title>&#;</title>")]
    [InlineData("<title>nul\0char</title>")]
    [InlineData("<title>no end")]
    [InlineData("<title>cut at the marker</title")]
    [InlineData("<meta content=\"unclosed><title>x</title>")]
    [InlineData("<?xml version=\"1.0\"?><title>x</title>")]
    [InlineData("<h1>no title at all</h1>")]
    [InlineData("")]
    public void Gives_up_where_the_markup_could_change_the_answer(string html)
    {
        Assert.False(TitleScanner.TryExtract(html, out _));

        // And the query still answers, through AngleSharp.
        Assert.Equal(AngleSharpTitle(html), PageQuery.Create(null, 1_000_000).Extract(html));
    }

    [Fact]
    public void Extract_uses_the_same_tidy_text_either_way()
    {
        var query = PageQuery.Create(null, 1_000_000);
        string[] pages =
        [
            "<title>\u00a0 Non\u00a0breaking \u2003 spaces \u00a0</title>",
            "<html><head><title>\n\n</title></head></html>",
            "<!doctype html><title>Caf&#233; &amp; cr&#xE8;me</title>",
            "<!-- c --><title>Caf&eacute;</title>",
        ];
        foreach (var html in pages)
        {
            Assert.Equal(AngleSharpTitle(html), query.Extract(html));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("tidy text")]
    [InlineData("  lead and trail  ")]
    [InlineData("a\r\n\tb\u00a0\u00a0c\u2003d\u0085e")]
    [InlineData("\u00a0")]
    [InlineData("double  space")]
    public void Collapse_matches_the_regex_definition(string text)
    {
        var expected = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        Assert.Equal(expected, TextTidy.Collapse(text));
    }
}
