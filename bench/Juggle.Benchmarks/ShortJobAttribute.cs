using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Juggle.Benchmarks;

/// <summary>
/// A short job for a shared 2-core machine: one launch, a few single-invocation iterations (every invocation is
/// already a batch of many tasks or hundreds of milliseconds), run in-process so BenchmarkDotNet does not rebuild
/// the solution for each benchmark class.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortJobAttribute : JobConfigBaseAttribute
{
    public ShortJobAttribute(int warmupCount, int iterationCount)
        : base(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmupCount)
            .WithIterationCount(iterationCount)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId($"short-{warmupCount}w{iterationCount}i"))
    {
    }

    public int WarmupCount => Config.GetJobs().First().Run.WarmupCount;

    public int IterationCount => Config.GetJobs().First().Run.IterationCount;
}
