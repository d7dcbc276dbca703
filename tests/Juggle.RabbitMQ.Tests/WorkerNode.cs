using System.Diagnostics;
using System.Text;

namespace Juggle.RabbitMQ.Tests;

/// <summary>A worker node as a real child process (the test worker app, loading this test assembly's [JuggleFunction] methods).</summary>
public sealed class WorkerNode : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly ManualResetEventSlim _ready = new();
    private readonly ManualResetEventSlim _exited = new();
    private int _disposed;

    private WorkerNode(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the worker wrote to stderr (its log).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "Juggle.RabbitMQ.TestWorker.dll");

    public static string TestAssembly => typeof(WorkerNode).Assembly.Location;

    public static WorkerNode Start(Uri broker, string queue, params string[] extra)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(WorkerDll);
        foreach (var argument in (string[])["--broker", broker.ToString(), "--assembly", TestAssembly, "--queue", queue, .. extra])
        {
            info.ArgumentList.Add(argument);
        }

        var node = new WorkerNode(Process.Start(info)!);
        node._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                node._ready.Set();
            }
        };
        node._process.ErrorDataReceived += (_, e) =>
        {
            lock (node._log)
            {
                node._log.AppendLine(e.Data);
            }
        };
        node._process.EnableRaisingEvents = true;
        node._process.Exited += (_, _) => node._exited.Set();
        if (node._process.HasExited)
        {
            node._exited.Set();
        }

        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        if (!WaitHandle.WaitAny([node._ready.WaitHandle, node._exited.WaitHandle], ReadyTimeout).Equals(0))
        {
            var log = node.Log;
            node.Dispose();
            throw new InvalidOperationException($"The worker did not become ready within {ReadyTimeout.TotalSeconds} s:\n{log}");
        }

        return node;
    }

    /// <summary>SIGKILL: the node dies at once, mid-task.</summary>
    public void Kill() => Signal("KILL");

    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    /// <summary>SIGTERM: a graceful stop.</summary>
    public void Terminate() => Signal("TERM");

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            Thaw();
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        _process.Dispose();
        _ready.Dispose();
        _exited.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void Signal(string signal)
    {
        if (Volatile.Read(ref _disposed) != 0 && signal != "CONT")
        {
            return;
        }

        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("/bin/kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit(TimeSpan.FromSeconds(10));
    }
}
