using System.Text;
using System.Text.RegularExpressions;

namespace Juggle.Cli.Html;

/// <summary>
/// Finds a page's text encoding the way browsers do, simplified: byte-order mark, then the <c>Content-Type</c>
/// charset, then a <c>&lt;meta charset&gt;</c> in the first bytes, then UTF-8 if the bytes are valid UTF-8,
/// else Windows-1252. Latin-1 labels mean Windows-1252, as in the WHATWG Encoding standard.
/// </summary>
internal static partial class Charset
{
    private const int PrescanBytes = 4096;

    static Charset() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Windows1252 { get; } = GetCodePage(1252);

    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Returns the encoding and how many BOM bytes to skip.</summary>
    public static (Encoding Encoding, int Skip) Detect(ReadOnlySpan<byte> body, string? headerCharset, bool truncated)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (Utf8, 3);
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (Encoding.Unicode, 2);
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (Encoding.BigEndianUnicode, 2);
        }

        if (Lookup(headerCharset) is { } fromHeader)
        {
            return (fromHeader, 0);
        }

        if (Lookup(FindMetaCharset(body)) is { } fromMeta)
        {
            return (fromMeta, 0);
        }

        return (LooksLikeUtf8(body, truncated) ? Utf8 : Windows1252, 0);
    }

    /// <summary>Maps a charset label to an encoding; null for unknown labels.</summary>
    public static Encoding? Lookup(string? label)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            return null;
        }

        var name = label.Trim().Trim('"', '\'').ToUpperInvariant();
        switch (name)
        {
            case "UTF-8" or "UTF8" or "UNICODE-1-1-UTF-8":
                return Utf8;
            case "ISO-8859-1" or "ISO8859-1" or "ISO_8859-1" or "LATIN1" or "L1" or "US-ASCII" or "ASCII"
                or "WINDOWS-1252" or "CP1252" or "X-CP1252" or "CP819" or "IBM819":
                return Windows1252;
            default:
                try
                {
                    return Encoding.GetEncoding(name);
                }
                catch (ArgumentException)
                {
                    return null;
                }
        }
    }

    /// <summary>The charset named by a <c>&lt;meta charset&gt;</c> or <c>http-equiv</c> tag near the top, if any.</summary>
    public static string? FindMetaCharset(ReadOnlySpan<byte> body)
    {
        var head = Encoding.Latin1.GetString(body[..Math.Min(body.Length, PrescanBytes)]);
        var match = MetaCharset().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static bool LooksLikeUtf8(ReadOnlySpan<byte> body, bool truncated)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return true;
        }

        // A body cut at --max-bytes may end inside a multi-byte character.
        if (truncated)
        {
            for (var cut = 1; cut <= 3 && cut < body.Length; cut++)
            {
                if (System.Text.Unicode.Utf8.IsValid(body[..^cut]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Encoding GetCodePage(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    [GeneratedRegex("""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharset();
}
