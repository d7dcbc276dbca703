using Microsoft.Extensions.Hosting;

namespace Juggle.Cli.Demo;

/// <summary>
/// A host lifetime that leaves signals alone. The default console lifetime swallows SIGTERM and Ctrl+C to stop the
/// server gracefully, which would keep the CLI running after a SIGTERM; the CLI handles Ctrl+C itself.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
