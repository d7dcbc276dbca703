using System.Diagnostics.CodeAnalysis;

namespace Juggle.Cli.Http;

/// <summary>What the tool fetches: absolute http and https URLs only.</summary>
internal static class HttpUrl
{
    /// <summary>Parses <paramref name="text"/> as an absolute http(s) URL; false for anything else (files, ftp, relative).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Uri? uri)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out uri) && IsHttp(uri))
        {
            return true;
        }

        uri = null;
        return false;
    }

    /// <summary>Whether <paramref name="uri"/> is http or https.</summary>
    public static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;
}
