using Juggle;

namespace Juggle.ProcessPoolFixture;

/// <summary>
/// Returns from Main with work submitted and no Shutdown; each finished task appends a line to the output file, so
/// the test sees which work ran. Thread tasks wait for a gate opened by a ProcessExit handler registered before the
/// executor's, so they cannot finish before Main has returned.
/// </summary>
internal static class ExitModes
{
    // Two workers append at the same moment: File.AppendAllText opens the file without write sharing, so unguarded
    // appends would fail with IOException and lose a line.
    private static readonly Lock s_append = new();

    // The pool's functions take and return strings and ints, which trimming and NativeAOT keep.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "string and int arguments and results survive trimming.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "string and int arguments and results need no generated code.")]
    public static int Run(string mode, string output)
    {
        var mainReturned = new ManualResetEventSlim(); // not disposed: the ProcessExit handler sets it after Run returns
        AppDomain.CurrentDomain.ProcessExit += (_, _) => mainReturned.Set();
        switch (mode)
        {
            case "exit-threads":
                {
                    var pool = new ThreadPoolExecutor(2);
                    for (var i = 0; i < 5; i++)
                    {
                        var n = i;
                        pool.Submit(() =>
                        {
                            mainReturned.Wait(TimeSpan.FromSeconds(60));
                            Thread.Sleep(100);
                            lock (s_append)
                            {
                                File.AppendAllText(output, $"thread task {n}{Environment.NewLine}");
                            }
                        });
                    }

                    return 0;
                }

            case "exit-threads-shutdown-nowait":
                {
                    var pool = new ThreadPoolExecutor(1);
                    pool.Submit(() =>
                    {
                        mainReturned.Wait(TimeSpan.FromSeconds(60));
                        Thread.Sleep(100);
                        File.AppendAllText(output, $"running task{Environment.NewLine}");
                    });
                    pool.Submit(() => File.AppendAllText(output, $"pending task{Environment.NewLine}"));
                    pool.Shutdown(wait: false);
                    return 0;
                }

            case "exit-processes":
                {
                    var pool = new ProcessPoolExecutor(2);
                    for (var i = 0; i < 3; i++)
                    {
                        pool.Submit(Functions.WorkThenAppend, output, $"process task {i}");
                    }

                    return 0;
                }

            case "exit-processes-shutdown-nowait":
                {
                    var pool = new ProcessPoolExecutor(1);
                    pool.Submit(Functions.WorkThenAppend, output, "running task");
                    pool.Submit(Functions.Append, output, "pending task");
                    pool.Shutdown(wait: false);
                    return 0;
                }

            case "exit-submit-during-exit":
                {
                    // Registered after the first executor, so this handler runs once the process has begun to exit.
                    using var first = new ThreadPoolExecutor(1);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                    {
                        try
                        {
                            var late = new ThreadPoolExecutor(1);
                            late.Submit(() => File.AppendAllText(output, $"late task ran{Environment.NewLine}"));
                            File.AppendAllText(output, $"ACCEPTED{Environment.NewLine}");
                        }
                        catch (InvalidOperationException ex)
                        {
                            File.AppendAllText(output, $"REJECTED {ex.Message}{Environment.NewLine}");
                        }
                    };
                    return 0;
                }

            default:
                Console.Error.WriteLine($"unknown mode '{mode}'");
                return 2;
        }
    }
}
