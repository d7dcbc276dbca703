using System.Buffers.Text;
using System.Text;

namespace Juggle.Remoting;

/// <summary>
/// Writes and reads the plainest values (<see cref="int"/>, <see cref="long"/>, <see cref="bool"/>, finite
/// <see cref="double"/> and strings of safe ASCII) without System.Text.Json: its first use costs a fresh process
/// ~25 ms of CPU (the serializer's options, caches and contracts), which every new worker paid on its first call,
/// and the app on its first Submit. The bytes are exactly what System.Text.Json writes with
/// <see cref="ArgumentCodec.Options"/>; anything else (a string needing an escape, NaN, null, a number with another
/// spelling) returns <see langword="false"/> and goes to System.Text.Json as before.
/// </summary>
internal static class PlainJson
{
    /// <summary>Longer strings are left to System.Text.Json (the time it takes is then small beside the string's).</summary>
    public const int MaxPlainLength = 64 * 1024;

    /// <summary>Whether <paramref name="type"/> is one of the types handled here (all of them round-trip).</summary>
    public static bool Handles(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(bool) || type == typeof(double) || type == typeof(string);

    public static bool TryWrite(object? value, Type type, out byte[] json)
    {
        Span<byte> buffer = stackalloc byte[32];
        int written;
        switch (value)
        {
            case int number when type == typeof(int):
                return Copy(Utf8Formatter.TryFormat(number, buffer, out written), buffer, written, out json);
            case long number when type == typeof(long):
                return Copy(Utf8Formatter.TryFormat(number, buffer, out written), buffer, written, out json);
            case bool flag when type == typeof(bool):
                json = flag ? "true"u8.ToArray() : "false"u8.ToArray();
                return true;
            case double number when type == typeof(double) && double.IsFinite(number):
                return Copy(Utf8Formatter.TryFormat(number, buffer, out written), buffer, written, out json);
            case string text when type == typeof(string) && IsPlain(text):
                json = new byte[text.Length + 2];
                json[0] = (byte)'"';
                Encoding.ASCII.GetBytes(text, json.AsSpan(1));
                json[^1] = (byte)'"';
                return true;
            default:
                json = [];
                return false;
        }
    }

    public static bool TryRead(ReadOnlySpan<byte> json, Type type, out object? value)
    {
        value = null;
        if (json.IsEmpty)
        {
            return false;
        }

        if (type == typeof(int))
        {
            return IsNumber(json, integer: true) && Utf8Parser.TryParse(json, out int number, out var used) && used == json.Length && Box(number, out value);
        }

        if (type == typeof(long))
        {
            return IsNumber(json, integer: true) && Utf8Parser.TryParse(json, out long number, out var used) && used == json.Length && Box(number, out value);
        }

        if (type == typeof(double))
        {
            return IsNumber(json, integer: false) && Utf8Parser.TryParse(json, out double number, out var used) && used == json.Length && Box(number, out value);
        }

        if (type == typeof(bool))
        {
            if (json.SequenceEqual("true"u8))
            {
                value = true;
                return true;
            }

            if (json.SequenceEqual("false"u8))
            {
                value = false;
                return true;
            }

            return false;
        }

        if (type == typeof(string) && json.Length >= 2 && json.Length <= MaxPlainLength + 2 && json[0] == '"' && json[^1] == '"')
        {
            var inner = json[1..^1];
            foreach (var b in inner)
            {
                // Escapes, control characters and non-ASCII bytes take System.Text.Json's path (and its checks).
                if (b is < 0x20 or > 0x7E or (byte)'"' or (byte)'\\')
                {
                    return false;
                }
            }

            value = Encoding.ASCII.GetString(inner);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Printable ASCII that System.Text.Json's default encoder writes as is: not the quote and backslash (JSON escapes)
    /// nor the characters it escapes for HTML and JavaScript safety.
    /// </summary>
    private static bool IsPlain(string text)
    {
        // Long strings go to System.Text.Json, which refuses one over 166,666,666 characters with its own error.
        if (text.Length > MaxPlainLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < ' ' or > '~' or '"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="json"/> is a JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>), without
    /// fraction or exponent for an <paramref name="integer"/>: Utf8Parser alone takes more (a leading '+', "01", "1."),
    /// which System.Text.Json refuses; those go to System.Text.Json and its error.
    /// </summary>
    private static bool IsNumber(ReadOnlySpan<byte> json, bool integer)
    {
        var i = 0;
        if (json[i] == '-')
        {
            i++;
        }

        var digits = Digits(json, ref i);
        if (digits == 0 || (digits > 1 && json[i - digits] == '0'))
        {
            return false;
        }

        if (integer)
        {
            return i == json.Length;
        }

        if (i < json.Length && json[i] == '.')
        {
            i++;
            if (Digits(json, ref i) == 0)
            {
                return false;
            }
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if (Digits(json, ref i) == 0)
            {
                return false;
            }
        }

        return i == json.Length;
    }

    private static int Digits(ReadOnlySpan<byte> json, ref int i)
    {
        var start = i;
        while (i < json.Length && json[i] >= '0' && json[i] <= '9')
        {
            i++;
        }

        return i - start;
    }

    private static bool Copy(bool formatted, ReadOnlySpan<byte> buffer, int written, out byte[] json)
    {
        json = formatted ? buffer[..written].ToArray() : [];
        return formatted;
    }

    private static bool Box<T>(T number, out object? value)
    {
        value = number;
        return true;
    }
}
