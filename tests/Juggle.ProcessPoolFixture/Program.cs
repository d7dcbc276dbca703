using System.Diagnostics.CodeAnalysis;
using Juggle;

namespace Juggle.ProcessPoolFixture;

/// <summary>
/// Modes: "squares" maps Square over 1..10 in worker processes and prints the results; "print" has workers print
/// lines (they must reach this process's stdout, whole, before each task's result); "hold" starts two workers,
/// one busy with an endless task, prints their process ids and waits to be killed; "exit-…" modes (see
/// <see cref="ExitModes"/>) return from Main with work still submitted. Every run of Main appends this
/// process's id to the file named by JUGGLE_FIXTURE_MAIN_LOG, so a test can check workers never re-run Main.
/// </summary>
internal static class Program
{
    // The pool's functions take and return int, which trimming and NativeAOT keep: the warnings are acknowledged here.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "int arguments and results survive trimming.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "int arguments and results need no generated code.")]
    private static int Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable("JUGGLE_FIXTURE_MAIN_LOG") is { Length: > 0 } log)
        {
            File.AppendAllText(log, $"{Environment.ProcessId}{Environment.NewLine}");
        }

        var mode = args.Length > 0 ? args[0] : "squares";
        if (mode.StartsWith("exit-", StringComparison.Ordinal))
        {
            return ExitModes.Run(mode, args.Length > 1 ? args[1] : throw new ArgumentException("exit modes take an output file"));
        }

        if (mode.StartsWith("first-submit", StringComparison.Ordinal))
        {
            return FirstSubmitModes.Run(mode);
        }

        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        switch (mode)
        {
            case "squares":
                {
                    var squares = pool.Map(Functions.Square, Enumerable.Range(1, 10), chunkSize: 2).ToList();
                    var pid = pool.Submit(Functions.Pid).Result(TimeSpan.FromSeconds(60));
                    Console.WriteLine($"SQUARES {string.Join(',', squares)}");
                    Console.WriteLine($"WORKER {pid}");
                    return 0;
                }

            case "print":
                {
                    // Two workers print long lines at once; after each Result the app prints its own line.
                    var a = pool.Submit(Functions.PrintLines, "a", 200);
                    var b = pool.Submit(Functions.PrintLines, "b", 200);
                    Console.WriteLine($"AFTER a {a.Result(TimeSpan.FromSeconds(60))}");
                    Console.WriteLine($"AFTER b {b.Result(TimeSpan.FromSeconds(60))}");
                    Console.WriteLine($"AFTER c {pool.Submit(Functions.PrintLines, "c", 1).Result(TimeSpan.FromSeconds(60))}");
                    return 0;
                }

            case "hold":
                {
                    var busy = pool.Submit(Functions.SpinForever, 1);
                    var idle = pool.Submit(Functions.Pid).Result(TimeSpan.FromSeconds(60));
                    if (!SpinWait.SpinUntil(() => busy.Running && pool.GetWorkerProcessIds().Count == 2, TimeSpan.FromSeconds(60)))
                    {
                        Console.WriteLine("NOT READY");
                        return 1;
                    }

                    Console.WriteLine($"PIDS {string.Join(',', pool.GetWorkerProcessIds())}");
                    Console.Out.Flush();
                    Thread.Sleep(Timeout.Infinite);
                    return idle;
                }

            default:
                Console.Error.WriteLine($"unknown mode '{mode}'");
                return 2;
        }
    }
}
