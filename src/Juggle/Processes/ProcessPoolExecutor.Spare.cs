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

        private const string SpareThreadName = "juggle-spare-start";

        private static readonly object s_monitor = new();
        private static readonly Queue<WorkerChild> s_spares = new();
        private static string? s_spareKey;
        private static int s_refilling; // spares being started (their thread is about to start the process, or is starting it)

        private static bool Enabled => Environment.GetEnvironmentVariable(SpareWorkerVariable) != "0";

        /// <summary>
        /// The oldest spare if it was started for this very launch and is alive, else a fresh process. The spares are
        /// refilled by <see cref="Replenish"/> once the process taken has started up.
        /// </summary>
        public static WorkerChild Take(WorkerLaunch launch)
        {
            if (!Enabled)
            {
                return Start(launch);
            }

            var key = KeyOf(launch);
            WorkerChild? taken = null;
            List<WorkerChild>? stale = null;
            lock (s_monitor)
            {
                // A spare being started (a new pool's constructor primed it) is worth the few milliseconds its
                // Process.Start takes: a second process started here would boot beside it on the same cores.
                var deadline = Environment.TickCount64 + (long)StartWait.TotalMilliseconds;
                while (s_spares.Count == 0 && s_refilling > 0 && Environment.TickCount64 < deadline)
                {
                    Monitor.Wait(s_monitor, 10);
                }

                while (taken is null && s_spares.TryDequeue(out var spare))
                {
                    if (s_spareKey == key && !spare.HasExited)
                    {
                        taken = spare;
                    }
                    else
                    {
                        (stale ??= []).Add(spare);
                    }
                }
            }

            foreach (var process in stale ?? [])
            {
                Discard(process);
            }

            return taken ?? Start(launch);
        }

        /// <summary>
        /// Refills the spares up to <paramref name="keep"/>: called when a worker taken by <see cref="Take"/> has said
        /// hello (a spare that booted long ago at once; a process started on demand once its runtime is up), so the next
        /// spare's runtime does not boot on the same cores as the one a pool is waiting for. More than one for a pool
        /// that replaces workers all the time (<c>maxTasksPerChild</c>), so their runtimes boot side by side while the
        /// workers they replace still run.
        /// </summary>
        public static void Replenish(WorkerLaunch launch, int keep)
        {
            if (Enabled)
            {
                Refill(launch, KeyOf(launch), keep);
            }
        }

        /// <summary>
        /// Starts the spare in the background if there is none: called by a new pool's constructor, so the worker's
        /// runtime boots while the app still prepares (and JIT-compiles) its first call.
        /// </summary>
        public static void Prime(WorkerLaunch launch)
        {
            if (Enabled)
            {
                // The key (the whole environment, sorted) is worked out on the spare's thread, after its Process.Start.
                Refill(launch, key: null, keep: 1);
            }
        }

        private static void Refill(WorkerLaunch launch, string? key, int keep)
        {
            int toStart;
            lock (s_monitor)
            {
                toStart = Math.Max(0, keep - s_spares.Count - s_refilling);
                s_refilling += toStart;
            }

            // A thread of its own, not the thread pool: the app's first pool would otherwise wait for the thread pool
            // to start up (or, later, behind a busy one) before its worker's runtime even begins to boot. Started
            // natively where it can be: Thread.Start waits until the new thread has set itself up.
            for (var i = 0; i < toStart; i++)
            {
                var state = (launch, key);
                if (!Internal.NativeThreadStart.TryStart(() => StartSpare(state, nameSelf: true)))
                {
                    new Thread(static state => StartSpare(((WorkerLaunch, string?))state!, nameSelf: false)) { IsBackground = true, Name = SpareThreadName }.Start(state);
                }
            }
        }

        private static void StartSpare((WorkerLaunch Launch, string? Key) state, bool nameSelf)
        {
            var (launch, key) = state;
            WorkerChild? started = null;
            try
            {
                started = Start(launch);

                // Named once the spare has started: naming a thread costs a file write.
                if (nameSelf)
                {
                    Thread.CurrentThread.Name = SpareThreadName;
                }

                key ??= KeyOf(launch);
            }
#pragma warning disable CA1031 // A spare that cannot start is no spare: the next worker starts on demand and reports the error.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            List<WorkerChild>? stale = null;
            lock (s_monitor)
            {
                s_refilling--;
                if (started is not null)
                {
                    if (s_spareKey != key)
                    {
                        // Spares of another launch (the environment changed) can serve no pool of this one.
                        while (s_spares.TryDequeue(out var old))
                        {
                            (stale ??= []).Add(old);
                        }

                        s_spareKey = key;
                    }

                    s_spares.Enqueue(started);
                }

                Monitor.PulseAll(s_monitor);
            }

            foreach (var process in stale ?? [])
            {
                Discard(process);
            }
        }

        private static WorkerChild Start(WorkerLaunch launch) => WorkerChild.Start(launch.CreateStartInfo());

        /// <summary>Closing its input makes an unused worker exit at once.</summary>
        private static void Discard(WorkerChild process)
        {
            try
            {
                process.Input.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }

            // It exits as soon as its runtime is up; reaped in the background so that it does not linger as a zombie.
            ThreadPool.UnsafeQueueUserWorkItem(
                static child =>
                {
                    if (!child.WaitForExit(TimeSpan.FromSeconds(30)))
                    {
                        child.Kill();
                        child.WaitForExit(TimeSpan.FromSeconds(5));
                    }

                    child.Dispose();
                },
                process,
                preferLocal: false);
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
