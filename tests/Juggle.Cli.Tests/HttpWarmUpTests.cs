using Juggle.Cli.Http;

namespace Juggle.Cli.Tests;

public sealed class HttpWarmUpTests
{
    [Fact]
    public void Warm_up_fetches_a_title_from_its_own_loopback_server()
    {
        // The warm-up must take the same path as a successful real fetch (HTTP 200, title scanner, entity decoding),
        // or it would compile the wrong methods; it never throws.
        var result = HttpWarmUp.RunOnce();

        Assert.NotNull(result);
        Assert.Null(result.Error);
        Assert.Equal(200, result.Status);
        Assert.Equal("warm \u2013 up", result.Value);
    }

    [Fact]
    public void Warm_up_starts_only_for_titles()
    {
        Assert.False(HttpWarmUp.ShouldStart([]));
        Assert.False(HttpWarmUp.ShouldStart(["download", "http://example.com"]));
        Assert.False(HttpWarmUp.ShouldStart(["--version"]));
        Assert.True(HttpWarmUp.ShouldStart(["titles", "-i", "urls.txt"]));
    }
}
