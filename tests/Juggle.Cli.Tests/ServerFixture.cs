using Juggle.Cli.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Juggle.Cli.Tests;

/// <summary>One loopback Kestrel server (port 0) for a test class: demo pages, books, the awkward cases, and a hanging route.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private DemoServer? _server;

    /// <summary>Completed when a request reaches <c>/hang</c>; the request then waits until the client gives up.</summary>
    public TaskCompletionSource HangHit { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseAddress => _server!.BaseAddress;

    internal DemoServer Server => _server!;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public void ResetHang() => HangHit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _server = await DemoServer.StartAsync(TimeSpan.Zero, app =>
        {
            AwkwardRoutes.Map(app);
            app.MapGet("/hang", async (HttpContext context) =>
            {
                HangHit.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            });
            app.MapGet("/hang-body/{name}", async (HttpContext context) =>
            {
                context.Response.ContentLength = 1 << 20;
                await context.Response.Body.WriteAsync(new byte[10_000], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                HangHit.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            });
        });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A loopback URL on a port nothing listens on.</summary>
    public static string RefusedUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/";
    }
}
