namespace Juggle;

/// <summary>
/// The names under which Juggle publishes telemetry: an <see cref="System.Diagnostics.ActivitySource"/> with one span
/// per task, and a <see cref="System.Diagnostics.Metrics.Meter"/> with task counts and durations. Add both to an
/// OpenTelemetry tracer/meter provider (<c>.AddSource(JuggleTelemetry.ActivitySourceName)</c>,
/// <c>.AddMeter(JuggleTelemetry.MeterName)</c>). Nothing is allocated for tracing while no listener is attached.
/// </summary>
public static class JuggleTelemetry
{
    /// <summary>The name of the activity source (<c>Juggle</c>): one span per task, parented to the submitter's trace.</summary>
    public const string ActivitySourceName = Internal.TaskTelemetry.SourceName;

    /// <summary>The name of the meter (<c>Juggle</c>).</summary>
    public const string MeterName = Internal.JuggleMetrics.MeterName;
}
