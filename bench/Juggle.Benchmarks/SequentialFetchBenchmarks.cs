using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>The same 20 fetches one after another (~4 s), the reference for <see cref="FetchBenchmarks"/>; one iteration.</summary>
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 0, iterationCount: 1)]
public class SequentialFetchBenchmarks : FetchBenchmarksBase
{
    [GlobalSetup]
    public void Setup() => StartServer();

    [GlobalCleanup]
    public void Cleanup() => StopServer();

    [Benchmark(Description = "20 fetches, sequential")]
    public int Sequential()
    {
        var total = 0;
        foreach (var url in Urls)
        {
            total += Fetcher.FetchTitle(Client, url).Length;
        }

        return total;
    }
}
