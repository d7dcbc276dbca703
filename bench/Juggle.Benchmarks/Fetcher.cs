using System.Text.RegularExpressions;

namespace Juggle.Benchmarks;

/// <summary>A blocking page fetch that extracts the title, as seed 003's <c>requests.get</c> + parse does.</summary>
public static partial class Fetcher
{
    public static string FetchTitle(HttpClient client, Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = client.Send(request);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return ExtractTitle(reader.ReadToEnd());
    }

    public static string ExtractTitle(string html)
    {
        var match = TitleRegex().Match(html);
        return match.Success ? match.Groups[1].Value : throw new InvalidDataException("The page has no <title>.");
    }

    [GeneratedRegex("<title>(.*?)</title>", RegexOptions.IgnoreCase)]
    private static partial Regex TitleRegex();
}
