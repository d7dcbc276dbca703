using System.Diagnostics.Metrics;

namespace Juggle.Internal;

/// <summary>The <c>Juggle</c> meter: the same counts as <see cref="ExecutorProgress"/>, for OpenTelemetry and dotnet-counters.</summary>
internal static class JuggleMetrics
{
    public const string MeterName = "Juggle";

    public static readonly Meter Meter = new(MeterName, typeof(JuggleMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Submitted = Meter.CreateCounter<long>("juggle.tasks.submitted", "{task}", "Tasks submitted to an executor.");

    public static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>("juggle.tasks.running", "{task}", "Tasks executing now.");

    public static readonly Counter<long> Completed = Meter.CreateCounter<long>("juggle.tasks.completed", "{task}", "Tasks done, tagged with juggle.outcome = succeeded, failed or cancelled; failures also with error.type.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("juggle.task.duration", "s", "Time from a task's start to its end.");
}
