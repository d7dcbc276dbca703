using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Juggle.Internal;

/// <summary>
/// The <c>Juggle</c> meter: the same counts as <see cref="ExecutorProgress"/>, for OpenTelemetry and dotnet-counters.
/// </summary>
/// <remarks>
/// The first <see cref="Meter"/> of a process costs milliseconds (it starts the runtime's event-source machinery), so
/// the instruments are created by <see cref="TelemetryStartup"/> off the first Submit's path. Measurements made
/// before they exist are kept in order and replayed to the listeners that enable the instruments when they are
/// published; <see cref="Flush"/> waits for that, so nothing recorded is lost.
/// </remarks>
internal static class JuggleMetrics
{
    public const string MeterName = "Juggle";

    // Measurements kept while the instruments are created; past this many, recording waits for them instead.
    private const int MaxPending = 100_000;

    private static readonly Lock s_createLock = new();
    private static readonly Lock s_pendingLock = new();
    private static Instruments? s_instruments;
    private static List<Pending>? s_pending = [];

    private enum Kind
    {
        Submitted,
        Running,
        Completed,
        Duration,
    }

    /// <summary>Creates the meter and its instruments (once), then replays what was recorded before.</summary>
    public static void Create()
    {
        lock (s_createLock)
        {
            if (Volatile.Read(ref s_instruments) is not null)
            {
                return;
            }

            var instruments = new Instruments();
            lock (s_pendingLock)
            {
                foreach (var pending in s_pending!)
                {
                    instruments.Replay(pending);
                }

                s_pending = null;
                Volatile.Write(ref s_instruments, instruments);
            }
        }
    }

    /// <summary>Waits until the instruments exist and every measurement made before reached the listeners.</summary>
    public static void Flush()
    {
        if (Volatile.Read(ref s_instruments) is null)
        {
            Create();
        }
    }

    // The recording methods are inlined into the executor so that, with nothing listening, a measurement costs a load
    // and a test, as it did when the instruments were static fields; what is kept before they exist goes out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Submitted(in KeyValuePair<string, object?> executor)
    {
        if (Volatile.Read(ref s_instruments) is { } metrics)
        {
            if (metrics.Submitted.Enabled)
            {
                metrics.Submitted.Add(1, executor);
            }
        }
        else
        {
            Defer(Kind.Submitted, 1, executor);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Running(long delta, in KeyValuePair<string, object?> executor)
    {
        if (Volatile.Read(ref s_instruments) is { } metrics)
        {
            if (metrics.Running.Enabled)
            {
                metrics.Running.Add(delta, executor);
            }
        }
        else
        {
            Defer(Kind.Running, delta, executor);
        }
    }

    /// <summary><see langword="true"/> when any measurement of a finished task is wanted: one test for its three instruments.</summary>
    public static bool FinishedWanted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_instruments) is not { } metrics || (metrics.Running.Enabled | metrics.Completed.Enabled | metrics.Duration.Enabled);
    }

    /// <summary><see langword="true"/> when a completion should be recorded (enabled, or kept until the instruments exist).</summary>
    public static bool CompletedWanted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_instruments) is not { } metrics || metrics.Completed.Enabled;
    }

    /// <summary><see langword="true"/> when a duration should be recorded (enabled, or kept until the instruments exist).</summary>
    public static bool DurationWanted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_instruments) is not { } metrics || metrics.Duration.Enabled;
    }

    public static void Completed(in KeyValuePair<string, object?> executor, string outcome, string? errorType)
    {
        if (Volatile.Read(ref s_instruments) is { } metrics)
        {
            metrics.AddCompleted(executor, outcome, errorType);
        }
        else
        {
            Defer(new Pending(Kind.Completed, 1, executor, outcome, errorType));
        }
    }

    public static void Duration(double seconds, in KeyValuePair<string, object?> executor)
    {
        if (Volatile.Read(ref s_instruments) is { } metrics)
        {
            metrics.Duration.Record(seconds, executor);
        }
        else
        {
            Defer(new Pending(Kind.Duration, 0, executor, null, null, seconds));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Defer(Kind kind, long value, KeyValuePair<string, object?> executor) =>
        Defer(new Pending(kind, value, executor, null, null));

    private static void Defer(Pending pending)
    {
        lock (s_pendingLock)
        {
            if (s_pending is { } list && list.Count < MaxPending)
            {
                list.Add(pending);
                return;
            }
        }

        // Created meanwhile (or too much kept): record through the instruments.
        Flush();
        Volatile.Read(ref s_instruments)!.Replay(pending);
    }

    // A class: List<T> of a reference type runs the framework's precompiled code, no JIT on the first Submit.
    private sealed record Pending(Kind Kind, long Value, KeyValuePair<string, object?> Executor, string? Outcome, string? ErrorType, double Seconds = 0);

    private sealed class Instruments
    {
        public Instruments()
        {
            // Lives as long as the process, like the static meter it replaces.
#pragma warning disable CA2000
            var meter = new Meter(MeterName, typeof(JuggleMetrics).Assembly.GetName().Version?.ToString());
#pragma warning restore CA2000
            Submitted = meter.CreateCounter<long>("juggle.tasks.submitted", "{task}", "Tasks submitted to an executor.");
            Running = meter.CreateUpDownCounter<long>("juggle.tasks.running", "{task}", "Tasks executing now.");
            Completed = meter.CreateCounter<long>("juggle.tasks.completed", "{task}", "Tasks done, tagged with juggle.outcome = succeeded, failed or cancelled; failures also with error.type.");
            Duration = meter.CreateHistogram<double>("juggle.task.duration", "s", "Time from a task's start to its end.");
        }

        public Counter<long> Submitted { get; }

        public UpDownCounter<long> Running { get; }

        public Counter<long> Completed { get; }

        public Histogram<double> Duration { get; }

        public void AddCompleted(in KeyValuePair<string, object?> executor, string outcome, string? errorType)
        {
            if (!Completed.Enabled)
            {
                return;
            }

            var outcomeTag = new KeyValuePair<string, object?>("juggle.outcome", outcome);
            if (errorType is not null)
            {
                // OpenTelemetry's convention for a failed operation: error.type, the exception's full type name.
                Completed.Add(1, executor, outcomeTag, new KeyValuePair<string, object?>("error.type", errorType));
            }
            else
            {
                Completed.Add(1, executor, outcomeTag);
            }
        }

        public void Replay(Pending pending)
        {
            switch (pending.Kind)
            {
                case Kind.Submitted when Submitted.Enabled:
                    Submitted.Add(pending.Value, pending.Executor);
                    break;
                case Kind.Running when Running.Enabled:
                    Running.Add(pending.Value, pending.Executor);
                    break;
                case Kind.Completed:
                    AddCompleted(pending.Executor, pending.Outcome!, pending.ErrorType);
                    break;
                case Kind.Duration when Duration.Enabled:
                    Duration.Record(pending.Seconds, pending.Executor);
                    break;
            }
        }
    }
}
