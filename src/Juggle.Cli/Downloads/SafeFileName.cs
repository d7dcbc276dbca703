using System.Net.Http.Headers;

namespace Juggle.Cli.Downloads;

/// <summary>
/// Picks a download's file name from <c>Content-Disposition</c> or the URL and makes it safe: no directories, no
/// "..", no control or reserved characters, no device names, bounded length — so nothing lands outside the
/// output folder whatever the server sends.
/// </summary>
internal static class SafeFileName
{
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
        var chars = leaf.Select(c => char.IsControl(c) || invalid.Contains(c) ? '_' : c).ToArray();
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

        if (clean.Length > 200)
        {
            var ext = Path.GetExtension(clean);
            clean = clean[..(200 - Math.Min(ext.Length, 20))] + (ext.Length <= 20 ? ext : "");
        }

        return clean;
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
