using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace Juggle.Cli.Http;

/// <summary>Builds the HTTP client and the Polly retry pipeline every command shares.</summary>
internal static class HttpFactory
{
    public static HttpMessageHandler CreateHandler(HttpSettings settings) => new SocketsHttpHandler
    {
        ConnectCallback = settings.BlockingConnect ? static (context, token) => ConnectBlockingAsync(context.DnsEndPoint, token) : null,
        // Redirects are followed by Redirects.GetAsync, which only follows http(s) ones.
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = settings.Timeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        UseCookies = false,
    };

    /// <summary>
    /// A connect callback for handlers whose requests are blocking <c>Send</c> calls: the host is resolved
    /// asynchronously (cancellable), then each address is tried with a blocking connect, cancelled by closing the socket.
    /// </summary>
    /// <remarks>
    /// The handler's own connect is asynchronous, and on Unix a socket that has been used asynchronously stays in
    /// non-blocking mode: every later blocking read and write on it is emulated through the runtime's event loop
    /// (one more thread hand-off per read). A socket connected here stays blocking, so a worker's <c>Send</c> and body
    /// reads are plain system calls. Measured on <c>titles</c> (1,000 URLs, 64 workers): CPU per run 0.60 → 0.43 s.
    /// </remarks>
    public static async ValueTask<Stream> ConnectBlockingAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var host = endPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using (cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
                {
                    socket.Connect(address, endPoint.Port);
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                last = ex as SocketException ?? last;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    public static HttpClient CreateClient(CliEnvironment env, HttpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(env);
        return CreateClient((env.HandlerFactory ?? CreateHandler)(settings), settings);
    }

    public static HttpClient CreateClient(HttpMessageHandler handler, HttpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var client = new HttpClient(handler, disposeHandler: true)
        {
            // Per-attempt timeouts are applied by the caller so they can be told apart from Ctrl+C.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(settings.UserAgent);
        return client;
    }

    /// <summary>Retries connection errors, 5xx and 429 with exponential backoff and jitter, honouring <c>Retry-After</c>.</summary>
    public static ResiliencePipeline<HttpResponseMessage> CreateRetryPipeline(HttpSettings settings, TimeProvider? time = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (time is not null)
        {
            builder.TimeProvider = time;
        }

        if (settings.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
                MaxDelay = settings.MaxRetryAfter,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(IsTransient)
                    .HandleResult(r => IsTransient(r.StatusCode)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, settings.MaxRetryAfter, time ?? TimeProvider.System)),
                OnRetry = args =>
                {
                    // The failed response is discarded; free its connection now.
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        return builder.Build();
    }

    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    /// <summary>Connection-level failures (refused, reset, DNS hiccups) are worth retrying; protocol errors are not.</summary>
    public static bool IsTransient(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ResponseEnded or HttpRequestError.Unknown
        || ex.InnerException is SocketException or IOException;

    /// <summary>The server's <c>Retry-After</c> as a delay (capped), or null to use the backoff.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max, TimeProvider time)
    {
        if (response?.Headers.RetryAfter is not RetryConditionHeaderValue retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : null);
        if (delay is not { } d)
        {
            return null;
        }

        return d < TimeSpan.Zero ? TimeSpan.Zero : d > max ? max : d;
    }

    /// <summary>A short, human description of why a request failed.</summary>
    public static string Describe(Exception ex, TimeSpan timeout)
    {
        switch (ex)
        {
            case TimeoutException:
                return $"timed out after {timeout.TotalSeconds:0.###} s";
            case HttpRequestException http:
                var socket = FindSocketError(http);
                if (socket == SocketError.ConnectionRefused)
                {
                    return "connection refused";
                }

                if (http.HttpRequestError == HttpRequestError.NameResolutionError || socket is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
                {
                    return "DNS failure: host not found";
                }

                return http.InnerException is { } inner ? $"{http.Message} ({inner.Message})" : http.Message;
            default:
                return ex.Message;
        }
    }

    private static SocketError? FindSocketError(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }
}
