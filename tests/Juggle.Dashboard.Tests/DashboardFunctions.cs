using System.Diagnostics;

namespace Juggle.Dashboard.Tests;

/// <summary>Task functions (static, so the process pool can run them).</summary>
public static class DashboardFunctions
{
    /// <summary>Busy for about <paramref name="milliseconds"/> ms: a bar wide enough to see.</summary>
    public static int Work(int milliseconds)
    {
        var until = Stopwatch.GetTimestamp() + (milliseconds * Stopwatch.Frequency / 1000);
        var spins = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            spins++;
        }

        return spins;
    }

    public static int Explode(int value) => throw new InvalidOperationException($"boom {value}");
}
