using System.Text;

namespace Juggle.Remoting;

/// <summary>
/// UTF-8 for the short strings of frames and of a worker's command line: ASCII, the usual case (names of assemblies,
/// types and methods, environment variables), is copied byte by byte, because the first use of the UTF-8 codec costs a
/// fresh process milliseconds of CPU; anything else goes through <see cref="Encoding.UTF8"/>.
/// </summary>
internal static class Utf8Text
{
    public static int GetByteCount(string value) => IsAscii(value) ? value.Length : Encoding.UTF8.GetByteCount(value);

    /// <summary>Writes <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="GetByteCount"/> long); returns the bytes written.</summary>
    public static int Write(string value, Span<byte> destination)
    {
        if (!IsAscii(value))
        {
            return Encoding.UTF8.GetBytes(value, destination);
        }

        for (var i = 0; i < value.Length; i++)
        {
            destination[i] = (byte)value[i];
        }

        return value.Length;
    }

    /// <summary>The string of <paramref name="bytes"/> if they are all ASCII; <see langword="false"/> otherwise (decode them as UTF-8).</summary>
    public static bool TryReadAscii(ReadOnlySpan<byte> bytes, out string value)
    {
        foreach (var b in bytes)
        {
            if (b >= 0x80)
            {
                value = string.Empty;
                return false;
            }
        }

        var chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }

        value = new string(chars);
        return true;
    }

    private static bool IsAscii(string value)
    {
        foreach (var c in value)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }

        return true;
    }
}
