using Juggle.Cli.Running;

namespace Juggle.Cli.Tests;

/// <summary><c>--mode cluster</c> and <c>--broker</c>: checked before any work, exit 2 naming the option, never echoing a password.</summary>
public sealed class ClusterModeArgumentTests
{
    [Theory]
    [InlineData("words x --broker amqp://u:secretpw@127.0.0.1:9/", "--broker is for --mode cluster")]
    [InlineData("bench cpu --broker amqp://u:secretpw@127.0.0.1:9/", "--broker is for --mode cluster")]
    [InlineData("bench cpu --mode processes --broker amqp://u:secretpw@127.0.0.1:9/", "--broker is for --mode cluster")]
    [InlineData("words x --mode cluster --broker http://u:secretpw@127.0.0.1:9/", "--broker: the scheme 'http' is not amqp or amqps")]
    [InlineData("bench primes --mode cluster --broker not-a-uri", "--broker needs an absolute URI")]
    [InlineData("bench io --mode cluster --broker amqp://u:secretpw@127.0.0.1:9/", "--mode cluster is for CPU-bound work")]
    [InlineData("titles --mode cluster http://127.0.0.1:9/", "--mode cluster is for CPU-bound work")]
    public async Task Bad_cluster_options_exit_2_naming_the_option(string args, string message)
    {
        var result = await CliHarness.RunAsync(args.Split(' '));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error);
        Assert.DoesNotContain("secretpw", result.Error + result.Out);
        Assert.DoesNotContain("Unhandled", result.Error);
    }

    [Fact]
    public void Cluster_mode_without_broker_needs_a_usable_JUGGLE_BROKER()
    {
        Assert.Contains("--mode cluster needs a broker: give --broker", BrokerOption.Problem(null));
        Assert.Contains("juggle cluster up", BrokerOption.Problem(" "));
        Assert.Contains("JUGGLE_BROKER environment variable is not an amqp:// or amqps:// URI", BrokerOption.Problem("http://u:p@h/"));
        Assert.Null(BrokerOption.Problem("amqp://u:p@broker.example:5672/"));
        Assert.Null(BrokerOption.Problem("amqps://broker.example/"));
    }

    [Fact]
    public async Task Help_of_words_and_bench_offers_cluster_mode_and_broker()
    {
        foreach (var command in new[] { "words", "bench" })
        {
            var help = await CliHarness.RunAsync([command, "--help"]);
            Assert.Contains("cluster", help.Out);
            Assert.Contains("--broker", help.Out);
        }
    }
}
