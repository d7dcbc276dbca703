using System.Runtime.ExceptionServices;
using Polly;

namespace Juggle.Cli.Http;

/// <summary>
/// Runs a request with the Polly retry pipeline of <see cref="HttpFactory.CreateRetryPipeline"/>, built on first need.
/// The first attempt runs on its own; only a transient failure (the pipeline's own test) enters the pipeline, which
/// replays that outcome as its first attempt and retries from there: the same attempts, delays and
/// <c>Retry-After</c> handling as running every request through Polly, without its set-up (~15 ms at start-up,
/// options validated by reflection) or per-request cost when every first attempt succeeds.
/// </summary>
internal sealed class Retrier
{
    private readonly HttpSettings _settings;
    private readonly Lazy<ResiliencePipeline<HttpResponseMessage>> _pipeline;

    public Retrier(HttpSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _pipeline = new(() => HttpFactory.CreateRetryPipeline(settings, time), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Whether the retry pipeline has been built (a transient failure happened); for tests.</summary>
    internal bool PipelineBuilt => _pipeline.IsValueCreated;

    /// <summary>
    /// Runs <paramref name="attempt"/>, and again while it fails transiently, up to <see cref="HttpSettings.Retries"/>
    /// more times. The state is a class: generic code over reference types is shared and precompiled (ReadyToRun).
    /// </summary>
    public async ValueTask<HttpResponseMessage> ExecuteAsync<TState>(
        Func<TState, CancellationToken, ValueTask<HttpResponseMessage>> attempt,
        TState state,
        CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (_settings.Retries == 0)
        {
            return await attempt(state, cancellationToken).ConfigureAwait(false);
        }

        HttpResponseMessage? first = null;
        ExceptionDispatchInfo? failure = null;
        try
        {
            first = await attempt(state, cancellationToken).ConfigureAwait(false);
            if (!HttpFactory.IsTransient(first.StatusCode))
            {
                return first;
            }
        }
        catch (HttpRequestException ex) when (HttpFactory.IsTransient(ex))
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        return await _pipeline.Value.ExecuteAsync(
            static (replay, token) => replay.NextAsync(token),
            new Replay<TState>(attempt, state, first, failure),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GET <paramref name="uri"/> with redirects followed (<see cref="Redirects"/>), each attempt given
    /// <see cref="HttpSettings.Timeout"/> for its response headers, retried while it fails transiently. An attempt that
    /// runs out of time is a <see cref="TimeoutException"/>; the run's own cancellation stays an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, bool sync, CancellationToken cancellationToken) =>
        ExecuteAsync(
            static async (state, token) =>
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(state.Settings.Timeout);
                try
                {
                    return await Redirects.GetAsync(state.Client, state.Uri, state.Settings.MaxRedirects, state.Sync, attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    throw new TimeoutException($"timed out after {state.Settings.Timeout.TotalSeconds:0.###} s");
                }
            },
            new GetAttempt(client, uri, _settings, sync),
            cancellationToken);

    /// <summary>
    /// The state of one GET through <see cref="ExecuteAsync{TState}"/>. A class, not a value tuple: generic methods
    /// instantiated over reference types share code that ReadyToRun precompiles, while a value-tuple state needs about
    /// 30 methods JIT-compiled on the first request.
    /// </summary>
    private sealed record GetAttempt(HttpClient Client, Uri Uri, HttpSettings Settings, bool Sync);

    /// <summary>The pipeline's attempts: the first one's recorded outcome, then real attempts.</summary>
    private sealed class Replay<TState>(
        Func<TState, CancellationToken, ValueTask<HttpResponseMessage>> attempt,
        TState state,
        HttpResponseMessage? first,
        ExceptionDispatchInfo? failure)
    {
        private bool _replayed;

        public ValueTask<HttpResponseMessage> NextAsync(CancellationToken cancellationToken)
        {
            if (_replayed)
            {
                return attempt(state, cancellationToken);
            }

            _replayed = true;
            failure?.Throw();
            return ValueTask.FromResult(first!);
        }
    }
}
