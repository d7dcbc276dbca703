using System.Diagnostics;

namespace Juggle.Cli.Tests;

/// <summary>
/// A long-running `juggle` process whose output lines are collected as they come, so a test can wait for a given
/// line (with a timeout, failing with the transcript) instead of sleeping; killed with its children on dispose.
/// </summary>
internal sealed class LineProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _out = [];
    private readonly List<string> _err = [];
    private readonly TaskCompletionSource _outClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource _newLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LineProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Out => Read(_out);

    public string Err => Read(_err);

    public string Transcript => $"--- stdout\n{Out}\n--- stderr\n{Err}";

    /// <summary>
    /// Starts <paramref name="executable"/> through env, which execs it in place (same PID) with the default dispositions
    /// of SIGINT, SIGQUIT and SIGHUP: a test run started in the background (a non-interactive shell's <c>&amp;</c>, as CI
    /// may be) hands its children SIGINT and SIGQUIT ignored, kept across exec, so a test that sends them would test
    /// the shell rather than juggle.
    /// </summary>
    public static LineProcess Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/usr/bin/env");
        start.ArgumentList.Add("--default-signal=INT,QUIT,HUP");
        start.ArgumentList.Add(executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Start(start);
    }

    /// <summary>Starts <paramref name="start"/> with its output collected; stdin is closed at once unless <paramref name="keepInputOpen"/>.</summary>
    public static LineProcess Start(ProcessStartInfo start, bool keepInputOpen = false)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        var lines = new LineProcess(process);
        process.OutputDataReceived += (_, e) => lines.Add(lines._out, lines._outClosed, e.Data);
        process.ErrorDataReceived += (_, e) => lines.Add(lines._err, lines._errClosed, e.Data);
        process.Start();
        if (!keepInputOpen)
        {
            process.StandardInput.Close();
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lines;
    }

    /// <summary>The first line (of stderr, or stdout) containing <paramref name="text"/>; fails the test with the transcript if none comes in time.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout, bool stdout = false) =>
        await TryWaitForLineAsync(text, timeout, stdout)
        ?? throw new Xunit.Sdk.XunitException($"no line with '{text}' ({((stdout ? _outClosed : _errClosed).Task.IsCompleted ? "the stream closed" : $"within {timeout}")}):\n{Transcript}");

    /// <summary>The first line (of stderr, or stdout) containing <paramref name="text"/>; null once the stream closed without it or after <paramref name="timeout"/>.</summary>
    public async Task<string?> TryWaitForLineAsync(string text, TimeSpan timeout, bool stdout = false)
    {
        var lines = stdout ? _out : _err;
        var closed = stdout ? _outClosed.Task : _errClosed.Task;
        using var patience = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }

                next = _newLine.Task;
            }

            if (closed.IsCompleted || patience.IsCancellationRequested)
            {
                return null;
            }

            await Task.WhenAny(next, closed, Task.Delay(Timeout.Infinite, patience.Token));
        }
    }

    /// <summary>The exit code once the process exited and its output is read; null after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var patience = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(patience.Token);
            await Task.WhenAll(_outClosed.Task, _errClosed.Task).WaitAsync(patience.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal (TERM, INT) as `kill` does.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        Assert.True(kill.WaitForExit(TimeSpan.FromSeconds(30)), "kill did not return");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private string Read(List<string> lines)
    {
        lock (_gate)
        {
            return string.Join('\n', lines);
        }
    }

    private void Add(List<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        TaskCompletionSource signal;
        lock (_gate)
        {
            lines.Add(line);
            signal = _newLine;
            _newLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }
}
