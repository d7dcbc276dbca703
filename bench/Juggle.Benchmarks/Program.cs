using BenchmarkDotNet.Running;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*Submit*'</c> runs BenchmarkDotNet;
/// the first argument <c>peak-map</c>, <c>side-by-side</c>, <c>shutdown-latency</c>, <c>busy-pool</c>, <c>async-fanout</c> or <c>processes</c> selects a plain console measurement instead.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "peak-map")
        {
            return PeakMapMemory.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "side-by-side")
        {
            return SideBySide.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "processes")
        {
            return ProcessesSideBySide.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "async-fanout")
        {
            return AsyncFanOut.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "busy-pool")
        {
            return BusyPoolHandOff.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "shutdown-latency")
        {
            return ShutdownLatency.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
