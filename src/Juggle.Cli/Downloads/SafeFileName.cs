using System.Net.Http.Headers;
using System.Text;

namespace Juggle.Cli.Downloads;

/// <summary>
/// Picks a download's file name from <c>Content-Disposition</c> or the URL and makes it safe: no directories, no
/// "..", no control or reserved characters, no device names, bounded length — so nothing lands outside the
/// output folder whatever the server sends.
/// </summary>
internal static class SafeFileName
{
    /// <summary>The longest file name most file systems take (ext4, XFS, APFS: 255 bytes; NTFS: 255 UTF-16 units).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The longest extension kept when a name is shortened; a longer "extension" is part of the name.</summary>
    private const int MaxExtensionBytes = 20;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public static string Choose(Uri url, ContentDispositionHeaderValue? disposition)
    {
        ArgumentNullException.ThrowIfNull(url);
        var fromHeader = disposition?.FileNameStar ?? disposition?.FileName;
        if (!string.IsNullOrWhiteSpace(fromHeader))
        {
            var clean = Sanitize(fromHeader.Trim('"'));
            if (clean is not null)
            {
                return clean;
            }
        }

        var last = Uri.UnescapeDataString(url.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        return Sanitize(last) ?? Sanitize(url.Host + ".html") ?? "download";
    }

    /// <summary>The last path component of <paramref name="name"/> with unsafe characters replaced; null if nothing usable remains.</summary>
    public static string? Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var leaf = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var invalid = Path.GetInvalidFileNameChars().Concat(['<', '>', ':', '"', '|', '?', '*']).ToHashSet();
        // Control characters and bidirectional overrides (a name that reads "txt.exe" backwards) become '_'.
        var chars = leaf.Select(c => char.IsControl(c) || Reporting.TerminalText.IsUnsafe(c) || invalid.Contains(c) ? '_' : c).ToArray();
        var clean = new string(chars).Trim().TrimStart('.').TrimEnd('.', ' ');
        if (clean.Length == 0 || clean.All(c => c == '_'))
        {
            return null;
        }

        var stem = Path.GetFileNameWithoutExtension(clean);
        if (Reserved.Contains(stem))
        {
            clean = "_" + clean;
        }

        return Fit(clean, MaxNameBytes);
    }

    /// <summary>
    /// <paramref name="name"/> shortened to at most <paramref name="maxBytes"/> bytes of UTF-8 (what Linux counts
    /// against its 255-byte limit: "é" is 2 bytes, "€" 3), keeping a short extension and never splitting a character.
    /// </summary>
    public static string Fit(string name, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Encoding.UTF8.GetByteCount(name) <= maxBytes)
        {
            return name;
        }

        var ext = Path.GetExtension(name);
        if (Encoding.UTF8.GetByteCount(ext) > MaxExtensionBytes)
        {
            ext = "";
        }

        var stem = name[..^ext.Length];
        return Cut(stem, maxBytes - Encoding.UTF8.GetByteCount(ext)) + ext;
    }

    /// <summary><paramref name="stem"/>, shortened as needed, then <paramref name="suffix"/> (" (2).pdf"), within <see cref="MaxNameBytes"/>.</summary>
    public static string WithSuffix(string stem, string suffix)
    {
        ArgumentNullException.ThrowIfNull(stem);
        ArgumentNullException.ThrowIfNull(suffix);
        var room = MaxNameBytes - Encoding.UTF8.GetByteCount(suffix);
        return room > 0 ? Cut(stem, room) + suffix : Fit(stem + suffix, MaxNameBytes);
    }

    /// <summary>The longest prefix of <paramref name="text"/> within <paramref name="maxBytes"/> UTF-8 bytes, whole characters only.</summary>
    private static string Cut(string text, int maxBytes)
    {
        var bytes = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return text[..end].TrimEnd(' ', '.');
    }

    /// <summary>The full path of <paramref name="name"/> inside <paramref name="directory"/>; throws if it would escape.</summary>
    public static string Inside(string directory, string name)
    {
        var root = Path.GetFullPath(directory);
        var full = Path.GetFullPath(Path.Combine(root, name));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || full.Length == prefix.Length)
        {
            throw new InvalidOperationException($"refusing to write '{name}' outside {root}");
        }

        return full;
    }
}
