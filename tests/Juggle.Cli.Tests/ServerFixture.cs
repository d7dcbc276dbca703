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

    /// <summary>What <c>/evil/title</c> puts in its title: an OSC retitle, a screen clear, a C1 CSI, a bidi override, a tab and markup.</summary>
    public const string EvilTitle = "\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u202eevil\ttab [bold]markup[/]";

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
            // Hostile answers: a redirect to wherever ?to= says, a title full of terminal escapes and bidi overrides.
            app.MapGet("/evil/redirect", (HttpContext context) =>
            {
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = context.Request.Query["to"].ToString();
                return Task.CompletedTask;
            });
            app.MapGet("/evil/title", () => Results.Content($"<html><head><title>{EvilTitle}</title></head></html>", "text/html; charset=utf-8"));
            app.MapGet("/evil/book.txt", () => Results.Text($"{EvilTitle} words words", "text/plain; charset=utf-8"));
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
