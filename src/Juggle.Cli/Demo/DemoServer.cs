using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Juggle.Cli.Demo;

/// <summary>
/// An embedded loopback HTTP server (Kestrel on 127.0.0.1, port 0) standing in for the seeds' web sites:
/// <c>/p/{slug}</c> blog posts (seed 000), <c>/pokedex/{n}</c> pages with a <c>&lt;title&gt;</c> and an
/// <c>&lt;h1&gt;</c> (seed 003), <c>/books/{n}.txt</c> book-sized texts (seed 004), each answered after a fixed
/// latency. Tests add their own routes.
/// </summary>
internal sealed class DemoServer : IAsyncDisposable
{
    public static readonly string[] Pokemon =
    [
        "Bulbasaur", "Ivysaur", "Venusaur", "Charmander", "Charmeleon", "Charizard", "Squirtle", "Wartortle",
        "Blastoise", "Caterpie", "Metapod", "Butterfree", "Weedle", "Kakuna", "Beedrill", "Pidgey", "Pidgeotto",
        "Pidgeot", "Rattata", "Raticate",
    ];

    private readonly WebApplication _app;

    private readonly int[] _requests;

    private DemoServer(WebApplication app, Uri baseAddress, TimeSpan latency, int[] requests)
    {
        _app = app;
        _requests = requests;
        BaseAddress = baseAddress;
        Latency = latency;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public TimeSpan Latency { get; }

    /// <summary>Number of requests answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests[0]);

    /// <summary>Starts the server on 127.0.0.1:<paramref name="port"/> (0: a free port, see <see cref="BaseAddress"/>).</summary>
    public static async Task<DemoServer> StartAsync(TimeSpan latency, Action<WebApplication>? configure = null, int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port);
            o.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var requests = new int[1];
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref requests[0]);
            var delay = context.Request.Query["delay"] is { Count: > 0 } d && int.TryParse(d[0], CultureInfo.InvariantCulture, out var ms)
                ? TimeSpan.FromMilliseconds(ms)
                : latency;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            }

            await next(context).ConfigureAwait(false);
        });

        app.MapGet("/p/{slug}", (string slug) => BlogPosts.Page(slug) is { } page
            ? Results.Content(page, "text/html; charset=utf-8")
            : Results.NotFound());
        app.MapGet("/pokedex/{n:int}", (int n) => n < 1 || n > Pokemon.Length
            ? Results.NotFound()
            : Results.Content(PokemonPage(n), "text/html; charset=utf-8"));
        app.MapGet("/page/{n:int}", (int n) => Results.Content(
            $"<!doctype html><html><head><title>Page {n} &#8211; Juggle demo</title></head><body><h1>Page {n}</h1></body></html>",
            "text/html; charset=utf-8"));
        app.MapGet("/books/{n:int}.txt", (int n) => Results.Text(BookText.Generate(n), "text/plain; charset=utf-8", Encoding.UTF8));
        configure?.Invoke(app);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoServer(app, new Uri(address.EndsWith('/') ? address : address + "/"), latency, requests);
    }

    public Uri PokedexUrl(int n) => new(BaseAddress, $"pokedex/{n}");

    public Uri BookUrl(int n) => new(BaseAddress, $"books/{n}.txt");

    public Uri PageUrl(int n, int? delayMs = null) =>
        new(BaseAddress, delayMs is { } d ? $"page/{n}?delay={d.ToString(CultureInfo.InvariantCulture)}" : $"page/{n}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string PokemonPage(int n)
    {
        var name = Pokemon[n - 1];
        return $"""
            <!doctype html>
            <html><head><meta charset="utf-8">
            <title>{name} Pok&eacute;dex: stats, moves, evolution &amp; locations | Pok&eacute;mon Database</title>
            </head>
            <body><nav>Pok&eacute;mon Database</nav>
            <main><h1>{name}</h1><p>#{n:000} &mdash; a demo page served by juggle's embedded server.</p></main>
            </body></html>
            """;
    }
}
