using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Juggle.Dashboard;

/// <summary>
/// A live page for executors in this process, like dask.distributed's dashboard: a task stream (a lane per worker,
/// tasks as bars over time, failures in red), progress per function, the workers (threads; processes with PID,
/// memory, CPU, tasks done, restarts) and the last failures with their stack traces. Served on 127.0.0.1 by its
/// own Kestrel server until disposed: <c>using var board = JuggleDashboard.Start(0, pool);</c> then open
/// <see cref="Url"/>. In an ASP.NET Core app, use <see cref="DashboardEndpoints.MapJuggleDashboard"/> instead.
/// </summary>
public sealed class JuggleDashboard : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly DashboardFeed _feed;
    private int _disposed;

    private JuggleDashboard(WebApplication app, DashboardFeed feed, Uri url)
    {
        _app = app;
        _feed = feed;
        Url = url;
    }

    /// <summary>The page's address, for example <c>http://127.0.0.1:8787/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The port the page is served on (the one chosen when started with port 0).</summary>
    public int Port => Url.Port;

    /// <summary>
    /// Starts serving the dashboard on 127.0.0.1:<paramref name="port"/> (0 picks a free port) for
    /// <paramref name="executors"/>, or for every executor in the process when none is given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 0–65535.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static JuggleDashboard Start(int port = 0, params Executor[] executors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentNullException.ThrowIfNull(executors);
        return StartCore(port, executors);
    }

    /// <summary>Stops the server; open pages show that they are reconnecting.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _feed.Dispose();
        using var timeout = new CancellationTokenSource(StopTimeout);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static JuggleDashboard StartCore(int port, Executor[] executors)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(JuggleDashboard).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);

        // Not the console lifetime: a dashboard inside an app must leave its Ctrl+C and SIGTERM handling alone.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var feed = new DashboardFeed(executors);
        try
        {
            DashboardEndpoints.MapCore(app, "/", feed, ownsFeed: false);
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            feed.Dispose();
            ((IDisposable)app).Dispose();
            if (ex is IOException)
            {
                throw new IOException($"The Juggle dashboard could not listen on 127.0.0.1:{port}: {ex.Message} Pick another port, or 0 for a free one.", ex);
            }

            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address for the dashboard.");
        var bound = new Uri(address).Port;
        return new JuggleDashboard(app, feed, new Uri($"http://127.0.0.1:{bound}/"));
    }

    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
