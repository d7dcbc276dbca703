using Juggle.Dashboard;

namespace Juggle.Cli.Running;

/// <summary><c>--dashboard [PORT]</c>: the live page of every executor the command runs, for as long as it runs.</summary>
internal static class RunDashboard
{
    /// <summary>Starts the dashboard when asked and prints its URL on <paramref name="error"/> (stdout stays the command's output).</summary>
    public static JuggleDashboard? Start(RunSettings run, TextWriter error)
    {
        if (run.DashboardPort is not { } port)
        {
            return null;
        }

        try
        {
            var board = JuggleDashboard.Start(port);
            error.WriteLine($"Dashboard: {board.Url}");
            return board;
        }
        catch (IOException ex)
        {
            throw new UsageException($"--dashboard {port}: {ex.Message}");
        }
    }
}
