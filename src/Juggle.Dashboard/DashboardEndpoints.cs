using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Juggle.Dashboard;

/// <summary>Maps the Juggle dashboard into an ASP.NET Core app.</summary>
public static class DashboardEndpoints
{
    /// <summary>
    /// Serves the dashboard at <paramref name="pattern"/> (the page) and <c>{pattern}/events</c> (its server-sent
    /// events) for <paramref name="executors"/>, or for every executor in the process when none is given.
    /// </summary>
    /// <returns>The route group, to add authorization or other conventions.</returns>
    public static RouteGroupBuilder MapJuggleDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/juggle", params Executor[] executors)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(executors);
        if (!pattern.StartsWith('/'))
        {
            throw new ArgumentException($"The dashboard's route pattern must start with '/', got '{pattern}'.", nameof(pattern));
        }

        return MapCore(endpoints, pattern, new DashboardFeed(executors), ownsFeed: true);
    }

    internal static RouteGroupBuilder MapCore(IEndpointRouteBuilder endpoints, string pattern, DashboardFeed feed, bool ownsFeed)
    {
        if (ownsFeed)
        {
            // Page connections never end on their own: the feed completes them when the app stops, so shutdown is prompt.
            endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(feed.Dispose);
        }

        var group = endpoints.MapGroup(pattern.TrimEnd('/'));
        group.MapGet("/", ServePage);
        group.MapGet("/events", context => ServeEvents(context, feed));
        return group;
    }

    private static async Task ServePage(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(DashboardPage.Html, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ServeEvents(HttpContext context, DashboardFeed feed)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var reader = feed.Subscribe();
        try
        {
            // retry: the page reconnects half a second after the server went away (a restart on the same port).
            await context.Response.WriteAsync("retry: 500\n\n", context.RequestAborted).ConfigureAwait(false);
            await foreach (var snapshot in reader.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            {
                await context.Response.WriteAsync($"data: {snapshot}\n\n", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The page went away.
        }
        finally
        {
            feed.Unsubscribe(reader);
        }
    }
}
