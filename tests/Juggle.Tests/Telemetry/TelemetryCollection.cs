namespace Juggle.Tests;

/// <summary>
/// Tests that attach process-wide listeners (a tracer provider, the dashboard) run alone: a listener changes what
/// every executor in the process does, and a test asserting "no listener" must not see another test's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
