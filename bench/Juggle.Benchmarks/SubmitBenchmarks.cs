using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// Per-task overhead of no-op work: submit N tasks, then read every result (Python's
/// <c>fs = [ex.submit(f) for ...]; [f.result() for f in fs]</c>), on a 2-worker executor vs bare
/// <see cref="Task.Run{TResult}(Func{TResult})"/> + <see cref="Task{TResult}.Result"/> in the same run.
/// Figures are per task (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 2, iterationCount: 11)]
public class SubmitBenchmarks
{
    public const int N = 1_000_000;

    private ThreadPoolExecutor _executor = null!;
    private readonly Future<int>[] _futures = new Future<int>[N];
    private readonly Task<int>[] _tasks = new Task<int>[N];

    [GlobalSetup]
    public void Setup()
    {
        _executor = NoOpSubmit.CreateExecutor();
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "Task.Run + .Result")]
    public long TaskRun()
    {
        var tasks = _tasks;
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(NoOpSubmit.NoOp);
        }

        long sum = 0;
        for (var i = 0; i < tasks.Length; i++)
        {
            sum += tasks[i].Result;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "ThreadPoolExecutor(2) Submit + Result")]
    public long Submit() => NoOpSubmit.Run(_executor, _futures);
}
