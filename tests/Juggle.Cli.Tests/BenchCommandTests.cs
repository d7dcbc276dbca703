using System.Text.Json;
using Juggle.Cli.Commands;
using Juggle.Cli.Running;

namespace Juggle.Cli.Tests;

public sealed class BenchCommandTests
{
    private static List<JsonElement> Rows(CliResult result) =>
        result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Io_bench_shows_threads_and_async_beating_sequential()
    {
        var result = await CliHarness.RunAsync(["bench", "io", "-n", "8", "--latency", "150", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = Rows(result);
        Assert.Equal(["sequential", "threads", "async", "processes"], rows.Select(r => r.GetProperty("mode").GetString()));
        var sequential = rows[0].GetProperty("ms").GetDouble();
        Assert.True(sequential >= 8 * 150, $"sequential took {sequential} ms for 8 × 150 ms");
        // 8 requests at once take ~150 ms; half the sequential time leaves a wide margin for a busy machine.
        Assert.True(rows[1].GetProperty("ms").GetDouble() < sequential / 2, result.Out);
        Assert.True(rows[2].GetProperty("ms").GetDouble() < sequential / 2, result.Out);
        Assert.Contains("I/O-bound", result.Error);
    }

    [Fact]
    public async Task Primes_bench_recommends_not_parallelising()
    {
        // Enough items that a scheduler hiccup in the (few ms) sequential run can't flip the verdict.
        var result = await CliHarness.RunAsync(["bench", "primes", "-n", "10000"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sequential", result.Console);
        Assert.Contains("same results ✓", result.Console);
        Assert.Contains("shorter is better", result.Console);
        Assert.True(result.Console.Contains("don't parallelise this", StringComparison.Ordinal), result.Console);
    }

    [Fact]
    public async Task Cpu_bench_runs_every_mode_and_checks_results()
    {
        var result = await CliHarness.RunAsync(["bench", "cpu", "-n", "4", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = Rows(result);
        Assert.Equal(4, rows.Count);
        Assert.Equal("processes", rows[3].GetProperty("mode").GetString());
        Assert.True(rows[3].GetProperty("ms").GetDouble() > 0, "the process pool run is measured");
        Assert.Contains("CPU-bound", result.Error);
    }

    [Fact]
    public async Task Bench_trace_has_one_event_per_item_per_mode_including_the_process_pool()
    {
        var trace = Path.Combine(Path.GetTempPath(), $"juggle-bench-{Guid.NewGuid():N}.json");
        try
        {
            var result = await CliHarness.RunAsync(["bench", "hash", "-n", "6", "--trace", trace, "--json"]);

            Assert.True(result.ExitCode == 0, result.ToString());
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(trace));
            var complete = json.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
            Assert.Equal(6 * 4, complete.Count);
            var lanes = json.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
                .Select(e => e.GetProperty("args").GetProperty("name").GetString()!).ToList();
            Assert.Contains(lanes, l => l.StartsWith("processes: ", StringComparison.Ordinal));
            Assert.Contains("sequential: main", lanes);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    [Fact]
    public void Recommendation_reads_the_numbers()
    {
        var overhead = BenchCommand.Recommend(TimeSpan.FromMilliseconds(9), new BenchCommand.Measurement(RunMode.Sequential, TimeSpan.FromMilliseconds(9), "", 1, null), new BenchCommand.Measurement(RunMode.Threads, TimeSpan.FromMilliseconds(60), "", 2, null), 10_000, cpuBound: true);
        Assert.StartsWith("don't parallelise this", overhead);
        Assert.Contains("(threads) ran at 0.15× the sequential speed", overhead);

        var io = BenchCommand.Recommend(TimeSpan.FromSeconds(2), new BenchCommand.Measurement(RunMode.Async, TimeSpan.FromMilliseconds(100), "", 32, null), new BenchCommand.Measurement(RunMode.Async, TimeSpan.FromMilliseconds(100), "", 32, null), 40, cpuBound: false);
        Assert.Contains("I/O-bound: use async (20× faster", io);

        var cpu = BenchCommand.Recommend(TimeSpan.FromSeconds(2), new BenchCommand.Measurement(RunMode.Threads, TimeSpan.FromSeconds(1), "", 2, null), new BenchCommand.Measurement(RunMode.Threads, TimeSpan.FromSeconds(1), "", 2, null), 20, cpuBound: true);
        Assert.Contains("CPU-bound: use threads", cpu);

        var busy = BenchCommand.Recommend(TimeSpan.FromSeconds(2), new BenchCommand.Measurement(RunMode.Threads, TimeSpan.FromSeconds(1.9), "", 2, null), new BenchCommand.Measurement(RunMode.Threads, TimeSpan.FromSeconds(1.9), "", 2, null), 20, cpuBound: true);
        Assert.Contains("cores look busy", busy);
    }

    [Fact]
    public async Task Urls_file_that_does_not_exist_is_a_usage_error()
    {
        var result = await CliHarness.RunAsync(["bench", "--urls", "/nonexistent/list.txt"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("input file not found", result.Error);
    }
}
