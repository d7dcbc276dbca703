using Juggle.Cli.Html;
using Juggle.Cli.Http;
using Juggle.Cli.Running;
using Juggle.Tests;

namespace Juggle.Cli.Tests;

public sealed class PageFetcherTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static PageFetcher Fetcher(HttpClient client, long maxBytes = 1_000_000, string? selector = null)
    {
        var settings = new HttpSettings { Timeout = TimeSpan.FromSeconds(10), Retries = 0 };
        return new PageFetcher(client, new Retrier(settings), settings, PageQuery.Create(selector, maxBytes));
    }

    [Fact]
    public async Task Stops_reading_a_huge_body_once_the_title_is_found()
    {
        using var client = new HttpClient();
        var result = await Fetcher(client).FetchAsync(server.Url("t/large?mb=500"), CancellationToken.None);

        Assert.Equal("Huge page", result.Value);
        Assert.InRange(result.Bytes, 1, 256 * 1024); // of 500 MB served
    }

    [Fact]
    public async Task Max_bytes_caps_a_body_whose_title_comes_too_late()
    {
        using var client = new HttpClient();
        var result = await Fetcher(client, maxBytes: 100_000).FetchAsync(server.Url("t/large?mb=5&late=1"), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(PageQuery.Unknown, result.Value);
        Assert.InRange(result.Bytes, 1, 100_000);
    }

    [Fact]
    public void Charset_detection_follows_header_then_meta_then_utf8_validity()
    {
        var w1252 = Charset.Windows1252;
        Assert.Same(w1252, Charset.Lookup("ISO-8859-1"));
        Assert.Same(w1252, Charset.Lookup("latin1"));
        Assert.Same(Charset.Utf8, Charset.Lookup("utf-8"));
        Assert.Null(Charset.Lookup("no-such-charset"));
        Assert.Equal("windows-1252", Charset.FindMetaCharset("<html><head><meta charset='windows-1252'>"u8));
        Assert.Equal("koi8-r", Charset.FindMetaCharset("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">"u8));
        Assert.Same(Charset.Utf8, Charset.Detect("<title>caf\u00e9</title>"u8, null, truncated: false).Encoding);
        Assert.Same(w1252, Charset.Detect(w1252.GetBytes("<title>caf\u00e9</title>"), null, truncated: false).Encoding);
        // A UTF-8 body cut inside a multi-byte character is still UTF-8.
        var cut = "<title>\u20ac</title>\u20ac"u8.ToArray()[..^1];
        Assert.Same(Charset.Utf8, Charset.Detect(cut, null, truncated: true).Encoding);
        Assert.Equal((Charset.Utf8, 3), Charset.Detect([0xEF, 0xBB, 0xBF, 0x3C], "iso-8859-1", truncated: false));
    }

    [Theory]
    [InlineData("Threads")]
    [InlineData("Async")]
    public void Runner_reads_input_lazily_with_a_bounded_window(string modeName)
    {
        var mode = Enum.Parse<RunMode>(modeName);
        var pulled = 0;
        IEnumerable<int> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
            }
        }

        var runner = new ModeRunner(mode, workers: 4, rate: null);
        var first = runner.Run(Endless(), (i, _) => i * 2, (i, _) => Task.FromResult(i * 2), asCompleted: false, CancellationToken.None)
            .Take(10).Select(r => r.Result).ToList();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 2), first);
        Assert.InRange(Volatile.Read(ref pulled), 10, 10 + 8 + 1);
    }

    [Theory]
    [InlineData("Threads")]
    [InlineData("Async")]
    [InlineData("Sequential")]
    public async Task Runner_rate_limit_holds_each_task_start_until_a_permit(string modeName)
    {
        var mode = Enum.Parse<RunMode>(modeName);
        // The test hands out the permits one by one: each task starts only after its own permit, whatever the load.
        var patience = TimeSpan.FromSeconds(30);
        using var limiter = new ManualRateLimiter();
        var runner = new ModeRunner(mode, workers: 4, rate: 20) { RateLimiterFactory = () => limiter };
        var started = 0;
        using var startedOne = new SemaphoreSlim(0);
        var run = Task.Run(() => runner.Run(
            Enumerable.Range(0, 6),
            (i, _) =>
            {
                Interlocked.Increment(ref started);
                startedOne.Release();
                return i;
            },
            (i, _) =>
            {
                Interlocked.Increment(ref started);
                startedOne.Release();
                return Task.FromResult(i);
            },
            asCompleted: false,
            CancellationToken.None).Select(r => r.Result).ToList());

        for (var granted = 0; granted < 6; granted++)
        {
            Assert.True(limiter.WaitForQueued(1, patience), $"no task asked for permit {granted + 1}");
            Assert.Equal(granted, Volatile.Read(ref started));
            limiter.Grant(1);
            Assert.True(await startedOne.WaitAsync(patience), $"task {granted + 1} did not start after its permit");
        }

        Assert.Equal(Enumerable.Range(0, 6), await run.WaitAsync(patience));
        Assert.Equal(6, Volatile.Read(ref started));
    }
}
