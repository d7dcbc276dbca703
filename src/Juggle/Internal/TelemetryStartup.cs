namespace Juggle.Internal;

/// <summary>
/// Creates the <c>Juggle</c> activity source and meter on a background thread when the first executor is built. The
/// first of either in a process starts the runtime's event-source machinery (about 15 ms on a fast machine), which
/// would otherwise be paid by the first Submit before its task could start.
/// </summary>
internal static class TelemetryStartup
{
    private static int s_begun;

    public static void Begin()
    {
        if (Volatile.Read(ref s_begun) != 0 || Interlocked.Exchange(ref s_begun, 1) != 0)
        {
            return;
        }

        new Thread(static () => CreateAll()) { IsBackground = true, Name = "Juggle telemetry start" }.UnsafeStart();
    }

    private static void CreateAll()
    {
        TaskTelemetry.EnsureSource();
        JuggleMetrics.Create();
    }
}
