namespace Juggle.Cli.Http;

/// <summary>How the CLI talks HTTP: timeouts, retries, redirects.</summary>
internal sealed record HttpSettings
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public int Retries { get; init; } = 2;

    /// <summary>First retry delay; doubles each attempt, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait a server's <c>Retry-After</c> can impose.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; init; } = 10;

    public string UserAgent { get; init; } = "juggle/0.1 (+https://github.com/juggle)";

    /// <summary>
    /// Connect sockets with a blocking call (<see cref="HttpFactory.ConnectBlockingAsync"/>) instead of the handler's
    /// asynchronous connect: for runs whose requests are blocking <c>Send</c> calls on worker threads.
    /// </summary>
    public bool BlockingConnect { get; init; }
}
