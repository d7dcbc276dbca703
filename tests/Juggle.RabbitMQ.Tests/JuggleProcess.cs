using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// The real <c>juggle</c> tool (Juggle.Cli.dll, copied next to the tests) as a child process: its stdout and stderr
/// lines, a wait for a line (with a timeout), signals, and a bounded wait for its exit. Disposing kills what is left.
/// </summary>
public sealed class JuggleProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _out = [];
    private readonly List<string> _error = [];
    private readonly ManualResetEventSlim _exited = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private JuggleProcess(Process process) => _process = process;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Out
    {
        get
        {
            lock (_out)
            {
                return string.Join('\n', _out);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return string.Join('\n', _error);
            }
        }
    }

    /// <summary>Everything it printed, for assertion messages.</summary>
    public string Transcript => $"--- stdout\n{Out}\n--- stderr\n{Error}";

    public static JuggleProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] args) => StartDll(Dll, environment, args);

    /// <summary>Another .NET program next to the tests (a sample), with the same capture.</summary>
    public static JuggleProcess StartDll(string dll, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        // Through env: a test run started in the background inherits SIGINT/SIGQUIT ignored, and an ignored signal
        // stays ignored across exec, so the Ctrl+C tests would test the shell rather than juggle. env execs in place
        // (same PID) with the default dispositions a terminal gives.
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
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

        var juggle = new JuggleProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        juggle._process.OutputDataReceived += (_, e) => juggle.Add(juggle._out, e.Data);
        juggle._process.ErrorDataReceived += (_, e) => juggle.Add(juggle._error, e.Data);
        juggle._process.Exited += (_, _) => juggle._exited.Set();
        juggle._process.Start();
        juggle._process.BeginOutputReadLine();
        juggle._process.BeginErrorReadLine();
        return juggle;
    }

    /// <summary>Waits until a stdout or stderr line contains <paramref name="text"/>; false after <paramref name="timeout"/> or once the process exited without it.</summary>
    public bool WaitForLine(string text, TimeSpan timeout, bool stdout = false)
    {
        var watch = Stopwatch.StartNew();
        var lines = stdout ? _out : _error;
        while (true)
        {
            lock (lines)
            {
                if (lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
                {
                    return true;
                }
            }

            var left = timeout - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (_exited.IsSet && !_newLine.Wait(TimeSpan.FromSeconds(2)))
            {
                // Exited and its last lines are read: the line will not come.
                return lines == _out ? Out.Contains(text, StringComparison.Ordinal) : Error.Contains(text, StringComparison.Ordinal);
            }

            _newLine.Wait(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Waits for the exit (and the last output lines); the exit code, or null after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return null;
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("/bin/kill") { ArgumentList = { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
        _exited.Dispose();
        _newLine.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }

        _newLine.Release();
    }
}
