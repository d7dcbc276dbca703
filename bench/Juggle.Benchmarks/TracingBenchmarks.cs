using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Juggle.Benchmarks;

/// <summary>
/// What tracing costs per task: the no-op <c>Submit</c> + <c>Result</c> of <see cref="SubmitBenchmarks"/> with nothing
/// listening to the <c>Juggle</c> source, with a bare <see cref="ActivityListener"/> that records every span (Juggle's
/// own cost: creating, tagging and ending one activity per task), and with an OpenTelemetry tracer provider sampling
/// every span into a no-op exporter (what an app with tracing on pays, short of the export itself).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 2, iterationCount: 9)]
public class TracingBenchmarks
{
    public const int N = 200_000;

    private readonly Future<int>[] _futures = new Future<int>[N];
    private ThreadPoolExecutor _executor = null!;
    private IDisposable? _listening;

    [Params("none", "ActivityListener", "OpenTelemetry")]
    public string Listener { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _listening = Listener switch
        {
            "ActivityListener" => Listen(),
            "OpenTelemetry" => Sdk.CreateTracerProviderBuilder().AddSource(JuggleTelemetry.ActivitySourceName).SetSampler(new AlwaysOnSampler()).AddProcessor(new NoOpProcessor()).Build(),
            _ => null,
        };
        _executor = NoOpSubmit.CreateExecutor();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _executor.Dispose();
        _listening?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = N, Description = "ThreadPoolExecutor(2) Submit + Result")]
    public long Submit() => NoOpSubmit.Run(_executor, _futures);

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == JuggleTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class NoOpProcessor : BaseProcessor<Activity>
    {
    }
}
