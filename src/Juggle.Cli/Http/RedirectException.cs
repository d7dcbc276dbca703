namespace Juggle.Cli.Http;

/// <summary>A redirect that is not followed: to another scheme than http(s), or with a Location that is not a URL.</summary>
internal sealed class RedirectException : Exception
{
    public RedirectException()
    {
    }

    public RedirectException(string message)
        : base(message)
    {
    }

    public RedirectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RedirectException(Uri from, string location, string message)
        : base(message)
    {
        From = from;
        Location = location;
    }

    /// <summary>The URL that answered with the redirect.</summary>
    public Uri? From { get; }

    /// <summary>Its <c>Location</c> header, as sent.</summary>
    public string? Location { get; }
}
