using System.Globalization;
using System.Text;

namespace Juggle.Cli.Reporting;

/// <summary>
/// Makes text from the network, from files and from file names safe to print: a page title, a server's error text
/// or a file name can carry escape sequences (retitle or clear the terminal, fake a prompt, hide a link), line
/// breaks and tabs (forge output lines or columns) and bidirectional overrides (show text in another order than it
/// is). Human output shows each such character as a visible escape instead (<c>\x1b</c>, <c>\t</c>,
/// <c>\u202e</c>); JSON output escapes them as JSON does (<c>\u001b</c>).
/// </summary>
internal static class TerminalText
{
    /// <summary>True for C0 and C1 control characters, DEL, bidirectional controls and line/paragraph separators.</summary>
    public static bool IsUnsafe(char c) =>
        c < 0x20
        || c is >= '\u007f' and <= '\u009f'
        || c is '\u061c' or '\u200e' or '\u200f' or '\u2028' or '\u2029'
        || c is >= '\u202a' and <= '\u202e'
        || c is >= '\u2066' and <= '\u2069';

    /// <summary><paramref name="text"/> with every unsafe character replaced by a visible escape; the same string when there is none.</summary>
    public static string Clean(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsUnsafe(c))
            {
                builder.Append(c);
                continue;
            }

            _ = c switch
            {
                '\t' => builder.Append("\\t"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                < '\u0100' => builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            };
        }

        return builder.ToString();
    }

    /// <summary>
    /// Escapes, as <c>\uXXXX</c>, the unsafe characters a JSON writer leaves raw (bidirectional controls: the
    /// writer already escapes control characters). Valid on a whole JSON text: outside strings JSON is ASCII.
    /// </summary>
    public static string EscapeJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var first = IndexOfUnsafe(json);
        if (first < 0)
        {
            return json;
        }

        var builder = new StringBuilder(json.Length + 16).Append(json, 0, first);
        for (var i = first; i < json.Length; i++)
        {
            var c = json[i];
            if (IsUnsafe(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static int IndexOfUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
