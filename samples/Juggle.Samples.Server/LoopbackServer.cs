using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Juggle.Samples.Server;

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 and a free port, inside the sample's own process: it serves a fixed
/// set of <see cref="SiteResource"/>s, each response delayed like a distant web site would be. Unknown paths get 404.
/// </summary>
/// <example><code>
/// await using var server = await LoopbackServer.StartAsync(pages, latency: TimeSpan.FromMilliseconds(200));
/// var url = server.Url("/p/hype-cycles");
/// </code></example>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests the server has answered.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Starts serving <paramref name="resources"/>; each response waits <paramref name="latency"/> (plus up to <paramref name="jitter"/>) first.</summary>
    public static async Task<LoopbackServer> StartAsync(
        IEnumerable<SiteResource> resources,
        TimeSpan latency,
        TimeSpan jitter = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, TimeSpan.Zero);
        var byPath = resources.ToDictionary(r => r.Path, StringComparer.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackServer(app);

        app.Run(async context =>
        {
            Interlocked.Increment(ref server._requests);
            var delay = latency + TimeSpan.FromTicks((long)(jitter.Ticks * Random.Shared.NextDouble()));
            await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            if (!byPath.TryGetValue(context.Request.Path.Value ?? "/", out var resource))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentType = resource.ContentType;
            context.Response.ContentLength = resource.Body.Length;
            await context.Response.Body.WriteAsync(resource.Body, context.RequestAborted).ConfigureAwait(false);
        });

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.First(); // the real port, once Kestrel has bound port 0
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    /// <summary>The absolute URL of <paramref name="path"/> on this server.</summary>
    public Uri Url(string path) => new(BaseAddress, path.TrimStart('/'));

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
