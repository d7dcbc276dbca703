using System.Text.Json;

namespace Juggle.Cli.Tests;

/// <summary>Bad command lines: exit 2 and one message naming the option, the value and what is allowed.</summary>
public sealed class ArgumentTests
{
    [Theory]
    [InlineData("--workers 2147483647", "--workers 2147483647", "1 to 1024")]
    [InlineData("--workers 0", "--workers 0", "1 to 1024")]
    [InlineData("--workers abc", "--workers 'abc'", "1 to 1024")]
    [InlineData("--workers 99999999999999999999", "--workers 99999999999999999999", "1 to 1024")]
    [InlineData("--rate 1e-12", "--rate 1e-12", "0.001 to 100000")]
    [InlineData("--rate NaN", "--rate 'NaN'", "0.001 to 100000")]
    [InlineData("--timeout 0", "--timeout 0", "greater than 0 and at most 3600")]
    [InlineData("--timeout -1", "--timeout -1", "greater than 0 and at most 3600")]
    [InlineData("--retries 21", "--retries 21", "0 to 20")]
    [InlineData("--mode foo", "--mode 'foo'", "sequential, threads, async, processes")]
    [InlineData("--mode Thread", "--mode 'Thread'", "Did you mean 'threads'?")]
    [InlineData("--max-bytes 5", "--max-bytes 5", "1024 to 1000000000")]
    [InlineData("--max-redirects 51", "--max-redirects 51", "0 to 50")]
    public async Task Bad_titles_options_exit_2_naming_option_value_and_range(string args, string named, string allowed)
    {
        var result = await CliHarness.RunAsync(["titles", .. args.Split(' '), "http://127.0.0.1:9/"]);

        AssertUsage(result, named, allowed);
    }

    [Theory]
    [InlineData("serve --latency -5", "--latency -5", "0 to 10000")]
    [InlineData("bench foo", "WORKLOAD 'foo'", "io, cpu, hash, primes")]
    [InlineData("bench cpu --items 0", "--items 0", "1 to 1000000")]
    [InlineData("bench cpu --items 2147483647", "--items 2147483647", "1 to 1000000")]
    [InlineData("words x --top 0", "--top 0", "1 to 10000")]
    [InlineData("demo --pages 21", "--pages 21", "1 to 20")]
    [InlineData("download -o /tmp --workers -1 http://127.0.0.1:9/", "--workers -1", "1 to 1024")]
    [InlineData("words x --pattern a/b.txt", "--pattern 'a/b.txt'", "without folders")]
    [InlineData("bench --urls /nonexistent/urls.txt", "--urls: input file not found: '/nonexistent/urls.txt'", "one URL per line")]
    [InlineData("titles -i /tmp", "--input '/tmp' is a folder", "one URL per line")]
    [InlineData("words x --mode foo", "--mode 'foo'", "sequential, threads, async, processes, cluster")]
    [InlineData("bench cpu --mode foo", "--mode 'foo'", "sequential, threads, async, processes, cluster")]
    [InlineData("bench cpu --mode", "--mode", "missing")]
    [InlineData("worker --concurrency abc", "--concurrency 'abc'", "1 to 4096")]
    [InlineData("worker --concurrency 0", "--concurrency 0", "1 to 4096")]
    [InlineData("worker --processes -3", "--processes -3", "1 to 1024")]
    [InlineData("cluster up --workers abc", "--workers 'abc'", "0 to 64")]
    [InlineData("cluster up --workers 65", "--workers 65", "0 to 64")]
    [InlineData("titles --dashboard abc http://127.0.0.1:9/", "--dashboard 'abc'", "0 to 65535")]
    [InlineData("titles --dashboard 70000 http://127.0.0.1:9/", "--dashboard 70000", "0 to 65535")]
    public async Task Bad_options_of_every_command_exit_2_naming_option_value_and_range(string args, string named, string allowed)
    {
        var result = await CliHarness.RunAsync(args.Split(' '));

        AssertUsage(result, named, allowed);
    }

    private static void AssertUsage(CliResult result, string named, string allowed)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error);
        Assert.Contains(allowed, result.Error);
        Assert.DoesNotContain("System.", result.Error);
        Assert.DoesNotContain("Juggle.Cli", result.Error);
        Assert.DoesNotContain("Unhandled", result.Error);
    }

    [Fact]
    public async Task Several_errors_are_each_on_a_line_of_their_own()
    {
        var result = await CliHarness.RunAsync(["download", "--workers", "0", "http://127.0.0.1:9/"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("juggle: ", StringComparison.Ordinal) && l.Contains("--output", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("juggle: ", StringComparison.Ordinal) && l.Contains("--workers 0", StringComparison.Ordinal));
        Assert.DoesNotContain("\\n", result.Error);
    }

    [Fact]
    public async Task A_misspelt_option_is_an_unknown_option_not_a_url()
    {
        var result = await CliHarness.RunAsync(["titles", "--wrokers", "3", "http://127.0.0.1:9/"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("unknown option '--wrokers'", result.Error);
        Assert.Contains("Did you mean '--workers'?", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task After_double_dash_a_value_starting_with_a_dash_is_an_argument()
    {
        var result = await CliHarness.RunAsync(["titles", "--json", "--", "-not-a-url"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("not a URL", result.Out);
    }

    [Fact]
    public async Task A_misspelt_command_gets_one_error_with_a_suggestion()
    {
        var result = await CliHarness.RunAsync(["titel", "http://127.0.0.1:9/"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("unknown command 'titel'. Did you mean 'titles'?", result.Error);
        Assert.DoesNotContain("Required command", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("juggle:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Juggle_alone_prints_help()
    {
        var result = await CliHarness.RunAsync([]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Out);
        Assert.Contains("titles", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Help_shows_choices_in_lower_case_and_each_commands_own_worker_default()
    {
        var titles = await CliHarness.RunAsync(["titles", "--help"]);
        var download = await CliHarness.RunAsync(["download", "--help"]);
        var bench = await CliHarness.RunAsync(["bench", "--help"]);

        Assert.Contains("<sequential|threads|async|processes|cluster>", titles.Out);
        Assert.Contains("(default: 32)", titles.Out);
        Assert.Contains("(default: 8)", download.Out);
        Assert.DoesNotContain("32", download.Out);
        Assert.Contains("io|cpu|hash|primes", bench.Out);
        Assert.DoesNotContain("Threads", titles.Out);
    }

    [Fact]
    public async Task Bench_with_mode_measures_only_that_mode_against_sequential()
    {
        var sequential = await CliHarness.RunAsync(["bench", "cpu", "-n", "2", "--mode", "sequential", "--json"]);
        var threads = await CliHarness.RunAsync(["bench", "primes", "-n", "100", "--mode", "threads", "--json"]);
        var processesIo = await CliHarness.RunAsync(["bench", "io", "--mode", "processes"]);

        Assert.True(sequential.ExitCode == 0, sequential.ToString());
        Assert.Equal(["sequential"], sequential.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("mode").GetString()));
        Assert.Equal(["sequential", "threads"], threads.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("mode").GetString()));
        Assert.Equal(2, processesIo.ExitCode);
        Assert.Contains("--mode processes is for CPU-bound work", processesIo.Error);
    }
}
