using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Juggle.Tests;

/// <summary>
/// An OpenTelemetry tracer provider exporting to memory, listening to Juggle's source, HttpClient's and the tests'
/// own. Read only the spans of one root's trace (<see cref="SpansOf"/>).
/// </summary>
internal sealed class TraceCapture : IDisposable
{
    public const string TestSourceName = "Juggle.Tests.Telemetry";

    private static readonly ActivitySource s_testSource = new(TestSourceName);
    private readonly List<Activity> _exported = [];
    private readonly TracerProvider _provider;

    public TraceCapture()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(JuggleTelemetry.ActivitySourceName, TestSourceName, "System.Net.Http")
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_exported)
            .Build()!;
    }

    /// <summary>Starts the submitter's span (current on this thread until disposed).</summary>
    public Activity StartRoot(string name = "submitter") =>
        s_testSource.StartActivity(name) ?? throw new InvalidOperationException("The test source is not listened to.");

    /// <summary>The exported spans of <paramref name="traceId"/>.</summary>
    public List<Activity> SpansOf(ActivityTraceId traceId)
    {
        lock (_exported)
        {
            return [.. _exported.Where(a => a.TraceId == traceId)];
        }
    }

    public void Dispose() => _provider.Dispose();
}
