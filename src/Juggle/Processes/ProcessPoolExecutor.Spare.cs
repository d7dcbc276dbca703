using System.Collections;
using System.Diagnostics;
using System.Text;

namespace Juggle;

/// <summary>A process-wide warm spare worker: a new pool's first worker, or a replacement, starts without waiting for a runtime to boot.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Set to <c>0</c> to start every worker on demand, with no spare process kept warm.</summary>
    public const string SpareWorkerVariable = "JUGGLE_SPARE_WORKER";

    /// <summary>
    /// One worker process started ahead of need and not yet owned by any pool. A worker knows nothing of its pool
    /// until the pool's first frames (its function definitions and Init), so any pool of the same launch (the same
    /// command and environment, which the worker inherited when it started) can adopt it. Each adoption starts the
    /// next spare in the background, so a pool created after the first, a worker replaced after a crash or a timeout
    /// kill, and a <c>maxTasksPerChild</c> recycle find a runtime that has already started. The spare exits with the
    /// app: its input is a pipe only this process holds.
    /// </summary>
    private static class SpareWorker
    {
        /// <summary>How long taking a worker waits for a spare whose start is under way before starting its own.</summary>
        private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(2);

        private static readonly object s_monitor = new();
        private static Process? s_spare;
        private static string? s_spareKey;
        private static bool s_refilling;
        private static bool s_starting;

        private static bool Enabled => Environment.GetEnvironmentVariable(SpareWorkerVariable) != "0";

        /// <summary>The spare if it was started for this very launch and is alive, else a fresh process; then refills the spare.</summary>
        public static Process Take(WorkerLaunch launch)
        {
            if (!Enabled)
            {
                return Start(launch);
            }

            var key = KeyOf(launch);
            Process? taken = null;
            Process? stale = null;
            lock (s_monitor)
            {
                // A spare inside its Process.Start (a new pool's constructor primed it) is worth the few milliseconds
                // that takes: a second process started here would boot beside it on the same cores. A refill still
                // queued behind a busy thread pool is not waited for.
                var deadline = Environment.TickCount64 + (long)StartWait.TotalMilliseconds;
                while (s_spare is null && s_starting && Environment.TickCount64 < deadline)
                {
                    Monitor.Wait(s_monitor, 10);
                }

                if (s_spare is { } spare)
                {
                    s_spare = null;
                    if (s_spareKey == key && !spare.HasExited)
                    {
                        taken = spare;
                    }
                    else
                    {
                        stale = spare;
                    }
                }
            }

            if (stale is not null)
            {
                Discard(stale);
            }

            taken ??= Start(launch);
            Refill(launch, key);
            return taken;
        }

        /// <summary>
        /// Starts the spare in the background if there is none: called by a new pool's constructor, so the worker's
        /// runtime boots while the app still prepares (and JIT-compiles) its first call.
        /// </summary>
        public static void Prime(WorkerLaunch launch)
        {
            if (Enabled)
            {
                Refill(launch, KeyOf(launch));
            }
        }

        private static void Refill(WorkerLaunch launch, string key)
        {
            lock (s_monitor)
            {
                if (s_refilling || s_spare is not null)
                {
                    return;
                }

                s_refilling = true;
            }

            ThreadPool.UnsafeQueueUserWorkItem(
                static state =>
                {
                    Process? started = null;
                    lock (s_monitor)
                    {
                        s_starting = true;
                    }

                    try
                    {
                        started = Start(state.launch);
                    }
#pragma warning disable CA1031 // A spare that cannot start is no spare: the next worker starts on demand and reports the error.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                    }

                    Process? extra = null;
                    lock (s_monitor)
                    {
                        s_refilling = false;
                        s_starting = false;
                        if (s_spare is null)
                        {
                            s_spare = started;
                            s_spareKey = state.key;
                        }
                        else
                        {
                            extra = started;
                        }

                        Monitor.PulseAll(s_monitor);
                    }

                    if (extra is not null)
                    {
                        Discard(extra);
                    }
                },
                (launch, key),
                preferLocal: false);
        }

        private static Process Start(WorkerLaunch launch) =>
            Process.Start(launch.CreateStartInfo())
            ?? throw new InvalidOperationException($"Could not start worker process '{launch.Host}'.");

        /// <summary>Closing its input makes an unused worker exit at once.</summary>
        private static void Discard(Process process)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        /// <summary>What a worker inherits when it starts: its command and the whole environment.</summary>
        private static string KeyOf(WorkerLaunch launch)
        {
            var key = new StringBuilder(launch.Command);
            var variables = new List<string>();
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                variables.Add($"{entry.Key}={entry.Value}");
            }

            variables.Sort(StringComparer.Ordinal);
            foreach (var variable in variables)
            {
                key.Append('\0').Append(variable);
            }

            return key.ToString();
        }
    }
}
