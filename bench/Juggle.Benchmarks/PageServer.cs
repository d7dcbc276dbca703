using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Juggle.Benchmarks;

/// <summary>
/// A loopback Kestrel server (127.0.0.1, ephemeral port) whose pages <c>/page/{n}</c> answer after a fixed
/// latency with a small HTML page, standing in for the sites seed 003 scrapes.
/// </summary>
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<PageServer> StartAsync(TimeSpan latency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/page/{n:int}", async (int n, HttpContext context) =>
        {
            await Task.Delay(latency, context.RequestAborted);
            var html = string.Create(CultureInfo.InvariantCulture, $"<html><head><title>Page {n}</title></head><body><p>Page {n} body.</p></body></html>");
            return Results.Content(html, "text/html; charset=utf-8");
        });
        await app.StartAsync();
        var address = app.Urls.First();
        return new PageServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public Uri Page(int n) => new(BaseAddress, string.Create(CultureInfo.InvariantCulture, $"/page/{n}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
