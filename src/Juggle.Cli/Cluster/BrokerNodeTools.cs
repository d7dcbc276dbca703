using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Juggle.Cli.Cluster;

/// <summary>
/// What starting and stopping a private RabbitMQ node needs besides the node itself, shared by <c>LocalBroker</c>
/// (<c>juggle cluster up</c>) and the tests' broker fixture (which compile this file in).
/// </summary>
internal static class BrokerNodeTools
{
    /// <summary>A TCP port free on 127.0.0.1 now (closed again at once: the node binds it next).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Runs a tool that stops part of the node (<c>kill</c>, <c>epmd -kill</c>) with the node's environment, its output
    /// discarded, for at most 30 s; a tool that is not installed means there is nothing of it to stop.
    /// </summary>
    public static void RunQuietly(IReadOnlyDictionary<string, string> environment, string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(info);
            process?.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No such tool: nothing to stop.
        }
    }
}
