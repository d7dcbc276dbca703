using System.Diagnostics;
using Juggle.Cli.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// The real <c>juggle</c> tool (Juggle.Cli.dll, copied next to the tests) as a child process: its stdout and stderr
/// lines, a wait for a line (with a timeout), signals, and a bounded wait for its exit. Disposing kills what is left.
/// The capture is tests/Juggle.Cli.Tests' <see cref="LineProcess"/>; this adds how the tool is started.
/// </summary>
public sealed class JuggleProcess : IDisposable
{
    // Its waits are async; the sync ones here run them on the thread pool, off the test framework's synchronisation context.
    private readonly LineProcess _lines;

    private JuggleProcess(LineProcess lines) => _lines = lines;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll");

    public int ProcessId => _lines.Id;

    public bool HasExited => _lines.HasExited;

    public string Out => _lines.Out;

    public string Error => _lines.Err;

    /// <summary>Everything it printed, for assertion messages.</summary>
    public string Transcript => _lines.Transcript;

    public static JuggleProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] args) => StartDll(Dll, environment, args);

    /// <summary>Another .NET program next to the tests (a sample), with the same capture.</summary>
    public static JuggleProcess StartDll(string dll, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        // Through env: a test run started in the background inherits SIGINT/SIGQUIT ignored, and an ignored signal
        // stays ignored across exec, so the Ctrl+C tests would test the shell rather than juggle. env execs in place
        // (same PID) with the default dispositions a terminal gives.
        var info = new ProcessStartInfo("/usr/bin/env");
        info.ArgumentList.Add("--default-signal=INT,QUIT,HUP");
        info.ArgumentList.Add(DotnetHost());
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A broker from the test host's environment must not leak into a test that checks what happens without one.
        info.Environment.Remove("JUGGLE_BROKER");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        return new JuggleProcess(LineProcess.Start(info, keepInputOpen: true));
    }

    /// <summary>Waits until a stdout or stderr line contains <paramref name="text"/>; false after <paramref name="timeout"/> or once the process exited without it.</summary>
    public bool WaitForLine(string text, TimeSpan timeout, bool stdout = false) =>
        Task.Run(() => _lines.TryWaitForLineAsync(text, timeout, stdout)).GetAwaiter().GetResult() is not null;

    /// <summary>Waits for the exit (and the last output lines); the exit code, or null after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout) => Task.Run(() => _lines.WaitForExitAsync(timeout)).GetAwaiter().GetResult();

    public void Signal(string signal)
    {
        if (!_lines.HasExited)
        {
            _lines.Signal(signal);
        }
    }

    public void Dispose() => _lines.Dispose();

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
