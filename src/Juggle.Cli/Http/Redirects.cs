using System.Net;

namespace Juggle.Cli.Http;

/// <summary>
/// GET with redirects followed here rather than by the handler: only to http and https URLs (a server can answer
/// with any <c>Location</c>, e.g. <c>file:///etc/passwd</c> or <c>ftp://host/</c>, which the handler would either
/// fail on with an exception of its own or send as plain HTTP to that host's port), never from https to http, and at most
/// <see cref="HttpSettings.MaxRedirects"/> of them. A refused redirect is a <see cref="RedirectException"/>.
/// </summary>
internal static class Redirects
{
    /// <summary>
    /// Sends GET <paramref name="uri"/> and follows redirects. The last response is returned; it is still a redirect
    /// (3xx with a Location) only when there were more than <paramref name="maxRedirects"/>.
    /// </summary>
    public static async ValueTask<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, int maxRedirects, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(uri);
        var current = uri;
        for (var hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, current);
            var response = sync
                ? client.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                : await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode) || !response.Headers.NonValidated.TryGetValues("Location", out var values) || hop >= maxRedirects)
            {
                return response;
            }

            var location = values.FirstOrDefault()?.Trim() ?? "";
            try
            {
                current = Next(current, location);
            }
            finally
            {
                // Either way this response is done with: free its connection.
                response.Dispose();
            }
        }
    }

    /// <summary>The URL a redirect from <paramref name="from"/> to <paramref name="location"/> leads to, if it may be followed.</summary>
    public static Uri Next(Uri from, string location)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(location);
        // Relative locations resolve against the current URL; (Uri, string) keeps "/path" relative even on Unix,
        // where a bare "/path" would otherwise read as a file path.
        if (location.Length == 0 || !Uri.TryCreate(from, location, out var next))
        {
            throw new RedirectException(from, location, $"redirect with an invalid Location '{Shorten(location)}'");
        }

        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            throw new RedirectException(from, location, $"redirect to '{Shorten(location)}' refused: only http(s) redirects are followed");
        }

        if (from.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            // As the handler's own redirects: never from an encrypted connection to a plain one.
            throw new RedirectException(from, location, $"redirect from https to plain http ('{Shorten(location)}') refused");
        }

        return next;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..197] + "...";
}
