namespace Juggle.Cli.Html;

/// <summary>
/// The fast path for a page's <c>&lt;title&gt;</c>: scans the start of the document the way the HTML tokenizer
/// does, as long as it meets only markup whose meaning is unambiguous (a doctype, <c>html</c>/<c>head</c>/
/// <c>meta</c>/<c>link</c>/<c>base</c> tags, end tags, text) and the title's text uses only plain characters and
/// the common character references. Anything else (comments, scripts, styles, foreign content, other entities,
/// no title before other markup) makes it give up, and the caller parses the page with AngleSharp. So the answer,
/// when there is one, is the one AngleSharp's <c>Document.Title</c> gives, without building a DOM per page: on
/// 2 cores, AngleSharp's first parse costs about 80–100 ms of start-up (type loading, its entity table) and each
/// parse allocates tens of kilobytes.
/// </summary>
internal static class TitleScanner
{
    /// <summary>Returns true and the title's raw text (entities decoded, whitespace not yet collapsed) when the fast path applies.</summary>
    public static bool TryExtract(string html, out string title)
    {
        ArgumentNullException.ThrowIfNull(html);
        title = "";
        var i = 0;
        while (true)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= html.Length)
            {
                return false;
            }

            var c = html[lt + 1];
            if (IsAsciiLetter(c))
            {
                var nameEnd = TagNameEnd(html, lt + 1);
                if (nameEnd < 0)
                {
                    return false;
                }

                var name = html.AsSpan(lt + 1, nameEnd - lt - 1);
                var tagEnd = ScanTagEnd(html, nameEnd);
                if (tagEnd < 0)
                {
                    return false;
                }

                if (name.Equals("title", StringComparison.OrdinalIgnoreCase))
                {
                    return TryReadTitle(html, tagEnd, out title);
                }

                if (!IsHarmless(name))
                {
                    return false;
                }

                i = tagEnd;
            }
            else if (c == '/' && lt + 2 < html.Length && IsAsciiLetter(html[lt + 2]))
            {
                // An end tag (</head>) changes nothing the title depends on.
                var nameEnd = TagNameEnd(html, lt + 2);
                var tagEnd = nameEnd < 0 ? -1 : ScanTagEnd(html, nameEnd);
                if (tagEnd < 0)
                {
                    return false;
                }

                i = tagEnd;
            }
            else if (c == '!' && html.AsSpan(lt + 2).StartsWith("doctype", StringComparison.OrdinalIgnoreCase))
            {
                // A doctype ends at the first '>', quotes or not.
                var end = html.IndexOf('>', lt + 2);
                if (end < 0)
                {
                    return false;
                }

                i = end + 1;
            }
            else
            {
                // Comments, CDATA, processing instructions, a bare '<': leave them to the real parser.
                return false;
            }
        }
    }

    /// <summary>Void or container elements that can precede the title without hiding it or changing how text is tokenized.</summary>
    private static bool IsHarmless(ReadOnlySpan<char> name) =>
        name.Equals("html", StringComparison.OrdinalIgnoreCase)
        || name.Equals("head", StringComparison.OrdinalIgnoreCase)
        || name.Equals("meta", StringComparison.OrdinalIgnoreCase)
        || name.Equals("link", StringComparison.OrdinalIgnoreCase)
        || name.Equals("base", StringComparison.OrdinalIgnoreCase);

    private static bool TryReadTitle(string html, int start, out string title)
    {
        title = "";

        // RCDATA: the text runs to the first "</title" followed by whitespace, '/' or '>'.
        var from = start;
        int end;
        while (true)
        {
            end = html.IndexOf("</", from, StringComparison.Ordinal);
            if (end < 0 || end + 8 > html.Length)
            {
                return false;
            }

            if (html.AsSpan(end + 2, 5).Equals("title", StringComparison.OrdinalIgnoreCase) && IsTagNameEnd(html[end + 7]))
            {
                break;
            }

            from = end + 2;
        }

        var raw = html.AsSpan(start, end - start);
        if (raw.Contains('\0'))
        {
            return false;
        }

        var amp = raw.IndexOf('&');
        if (amp < 0)
        {
            title = raw.ToString();
            return true;
        }

        return TryDecode(raw, amp, out title);
    }

    /// <summary>Decodes numeric references to ordinary characters and the six everyday named ones; gives up on anything else.</summary>
    private static bool TryDecode(ReadOnlySpan<char> raw, int firstAmp, out string text)
    {
        text = "";
        var builder = new System.Text.StringBuilder(raw.Length);
        builder.Append(raw[..firstAmp]);
        var i = firstAmp;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c != '&')
            {
                builder.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= raw.Length || !(char.IsAsciiLetterOrDigit(raw[i + 1]) || raw[i + 1] == '#'))
            {
                // "Tom & Jerry": a lone ampersand is text.
                builder.Append('&');
                i++;
                continue;
            }

            var semicolon = raw[(i + 1)..].IndexOf(';');
            if (semicolon < 1 || semicolon > 9)
            {
                return false;
            }

            var body = raw.Slice(i + 1, semicolon);
            if (body[0] == '#')
            {
                if (!TryNumeric(body[1..], out var value))
                {
                    return false;
                }

                builder.Append(char.ConvertFromUtf32(value));
            }
            else
            {
                var decoded = body switch
                {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => '\u00A0',
                    _ => '\0',
                };
                if (decoded == '\0')
                {
                    return false;
                }

                builder.Append(decoded);
            }

            i += semicolon + 2;
        }

        text = builder.ToString();
        return true;
    }

    /// <summary>"8211" or "x2013" to an ordinary code point; controls, C1 (remapped by HTML), surrogates and noncharacters give up.</summary>
    private static bool TryNumeric(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        var hex = digits.Length > 0 && digits[0] is 'x' or 'X';
        if (hex)
        {
            digits = digits[1..];
        }

        if (digits.IsEmpty || digits.Length > 7)
        {
            return false;
        }

        foreach (var d in digits)
        {
            int v;
            if (char.IsAsciiDigit(d))
            {
                v = d - '0';
            }
            else if (hex && char.IsAsciiHexDigit(d))
            {
                v = (d | 0x20) - 'a' + 10;
            }
            else
            {
                return false;
            }

            value = (value * (hex ? 16 : 10)) + v;
        }

        return value is 0x09 or 0x0A or (>= 0x20 and <= 0x7E) or (>= 0xA0 and <= 0xD7FF) or (>= 0xE000 and <= 0xFDCF) or (>= 0xFDF0 and <= 0xFFFD)
            || (value is >= 0x10000 and <= 0x10FFFF && (value & 0xFFFE) != 0xFFFE);
    }

    private static int TagNameEnd(string html, int start)
    {
        for (var p = start; p < html.Length; p++)
        {
            if (IsTagNameEnd(html[p]))
            {
                return p;
            }
        }

        return -1;
    }

    /// <summary>
    /// From just after a tag name to just after its closing '>', following the tokenizer's attribute states (so a
    /// '>' or "&lt;title&gt;" inside a quoted attribute value is skipped). -1 at the end of the input.
    /// </summary>
    private static int ScanTagEnd(string html, int p)
    {
        var n = html.Length;
        while (true)
        {
            // Before attribute name.
            while (p < n && IsWhitespace(html[p]))
            {
                p++;
            }

            if (p >= n)
            {
                return -1;
            }

            if (html[p] == '>')
            {
                return p + 1;
            }

            if (html[p] == '/')
            {
                p++;
                continue;
            }

            // Attribute name (its first character may be '=').
            p++;
            while (p < n && !IsWhitespace(html[p]) && html[p] is not ('/' or '>' or '='))
            {
                p++;
            }

            // After attribute name.
            while (p < n && IsWhitespace(html[p]))
            {
                p++;
            }

            if (p >= n)
            {
                return -1;
            }

            if (html[p] != '=')
            {
                continue;
            }

            // Before attribute value.
            p++;
            while (p < n && IsWhitespace(html[p]))
            {
                p++;
            }

            if (p >= n)
            {
                return -1;
            }

            var q = html[p];
            if (q is '"' or '\'')
            {
                var close = html.IndexOf(q, p + 1);
                if (close < 0)
                {
                    return -1;
                }

                p = close + 1;
            }
            else if (q == '>')
            {
                return p + 1;
            }
            else
            {
                while (p < n && !IsWhitespace(html[p]) && html[p] != '>')
                {
                    p++;
                }
            }
        }
    }

    private static bool IsTagNameEnd(char c) => IsWhitespace(c) || c is '/' or '>';

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';

    private static bool IsAsciiLetter(char c) => char.IsAsciiLetter(c);
}
