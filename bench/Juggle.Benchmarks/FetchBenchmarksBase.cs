namespace Juggle.Benchmarks;

/// <summary>
/// Seed 003's scrape: 20 pages, each answering after 200 ms, from a loopback Kestrel server started once per
/// benchmark process. One shared <see cref="HttpClient"/> (keep-alive connections, as a real scraper would).
/// </summary>
public abstract class FetchBenchmarksBase
{
    protected const int Pages = 20;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    private PageServer _server = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected Uri[] Urls { get; private set; } = null!;

    public void StartServer()
    {
        _server = PageServer.StartAsync(Latency).GetAwaiter().GetResult();
        Client = new HttpClient();
        Urls = [.. Enumerable.Range(0, Pages).Select(_server.Page)];
        // One request so the first measured fetch does not pay for JIT and the server's first request.
        Fetcher.FetchTitle(Client, Urls[0]);
    }

    public void StopServer()
    {
        Client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
