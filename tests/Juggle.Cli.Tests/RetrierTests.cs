using System.Net;
using Juggle.Cli.Http;

namespace Juggle.Cli.Tests;

public sealed class RetrierTests
{
    private static readonly HttpSettings Fast = new() { Retries = 3, RetryDelay = TimeSpan.FromMilliseconds(1) };

    /// <summary>Answers attempt N with the Nth scripted outcome (a status, or an exception to throw).</summary>
    private sealed class Script(params object[] outcomes)
    {
        public int Attempts { get; private set; }

        public List<HttpResponseMessage> Responses { get; } = [];

        public ValueTask<HttpResponseMessage> NextAsync(CancellationToken cancellationToken)
        {
            var outcome = outcomes[Math.Min(Attempts, outcomes.Length - 1)];
            Attempts++;
            if (outcome is Exception ex)
            {
                throw ex;
            }

            var response = new HttpResponseMessage((HttpStatusCode)outcome) { Content = new StringContent("body") };
            Responses.Add(response);
            return ValueTask.FromResult(response);
        }
    }

    private static ValueTask<HttpResponseMessage> Run(Retrier retrier, Script script) =>
        retrier.ExecuteAsync(static (s, token) => s.NextAsync(token), script, CancellationToken.None);

    [Fact]
    public async Task A_first_attempt_that_succeeds_never_builds_the_pipeline()
    {
        var retrier = new Retrier(Fast);
        var script = new Script(200);

        using var response = await Run(retrier, script);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, script.Attempts);
        Assert.False(retrier.PipelineBuilt);
    }

    [Fact]
    public async Task A_transient_status_is_replayed_into_polly_and_retried()
    {
        var retrier = new Retrier(Fast);
        var script = new Script(503, 429, 200);

        using var response = await Run(retrier, script);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, script.Attempts); // the replayed first attempt is not made twice
        Assert.True(retrier.PipelineBuilt);
        // Responses that were retried are disposed (their connections freed).
        await Assert.ThrowsAsync<ObjectDisposedException>(() => script.Responses[0].Content.ReadAsStringAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => script.Responses[1].Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_count_and_return_the_last_response()
    {
        var retrier = new Retrier(Fast with { Retries = 2 });
        var script = new Script(500);

        using var response = await Run(retrier, script);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(3, script.Attempts);
    }

    [Fact]
    public async Task A_transient_connection_error_is_retried()
    {
        var retrier = new Retrier(Fast);
        var script = new Script(new HttpRequestException(HttpRequestError.ConnectionError, "refused"), 200);

        using var response = await Run(retrier, script);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, script.Attempts);
    }

    [Fact]
    public async Task A_connection_error_on_every_attempt_surfaces_after_the_retries()
    {
        var retrier = new Retrier(Fast with { Retries = 2 });
        var script = new Script(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => Run(retrier, script).AsTask());

        Assert.Equal("refused", ex.Message);
        Assert.Equal(3, script.Attempts);
    }

    [Fact]
    public async Task Errors_that_are_not_transient_are_not_retried()
    {
        var retrier = new Retrier(Fast);
        var protocol = new Script(new HttpRequestException(HttpRequestError.InvalidResponse, "garbage"));
        var notFound = new Script(404);

        await Assert.ThrowsAsync<HttpRequestException>(() => Run(retrier, protocol).AsTask());
        using var response = await Run(retrier, notFound);

        Assert.Equal(1, protocol.Attempts);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, notFound.Attempts);
        Assert.False(retrier.PipelineBuilt);
    }

    [Fact]
    public async Task Zero_retries_returns_the_first_outcome_as_it_is()
    {
        var retrier = new Retrier(Fast with { Retries = 0 });
        var unavailable = new Script(503, 200);
        var refused = new Script(new HttpRequestException(HttpRequestError.ConnectionError, "refused"), 200);

        using var response = await Run(retrier, unavailable);
        await Assert.ThrowsAsync<HttpRequestException>(() => Run(retrier, refused).AsTask());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, unavailable.Attempts);
        Assert.Equal(1, refused.Attempts);
        Assert.False(retrier.PipelineBuilt);
    }
}
