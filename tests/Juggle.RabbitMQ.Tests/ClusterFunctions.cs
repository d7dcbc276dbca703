using System.Diagnostics;
using System.Globalization;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>Tasks for the cluster's own tests; worker processes load them from this test assembly.</summary>
public static class ClusterFunctions
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(60) };

    [JuggleFunction]
    public static int ProcessId() => Environment.ProcessId;

    /// <summary>Appends "task pid" to the file <paramref name="log"/>, then blocks on the gate; returns the pid.</summary>
    [JuggleFunction]
    public static int LogThenBlock(string log, string gatePath)
    {
        File.AppendAllText(log, $"task {Environment.ProcessId}\n");
        CrossProcessGate.SignalStartedAndWaitForRelease(gatePath, TimeSpan.FromSeconds(60));
        return Environment.ProcessId;
    }

    /// <summary>Records that it started (a file named <paramref name="value"/> in the folder), then blocks on the gate; <paramref name="folderAndGate"/> is "folder\ngate path".</summary>
    [JuggleFunction]
    public static int MarkThenBlock(string folderAndGate, int value)
    {
        var (folder, gatePath) = (folderAndGate.Split('\n')[0], folderAndGate.Split('\n')[1]);
        File.WriteAllText(Path.Combine(folder, value.ToString(CultureInfo.InvariantCulture)), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        CrossProcessGate.SignalStartedAndWaitForRelease(gatePath, TimeSpan.FromSeconds(120));
        return value;
    }

    /// <summary>Records that it ran (a file named <paramref name="value"/> in the folder <paramref name="log"/>) and returns <paramref name="value"/> squared.</summary>
    [JuggleFunction]
    public static int LogAndSquare(string log, int value)
    {
        File.WriteAllText(Path.Combine(log, value.ToString(CultureInfo.InvariantCulture)), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return value * value;
    }

    /// <summary>Kills its own worker process (SIGKILL), every time: a poison task.</summary>
    [JuggleFunction]
    public static int KillMyWorker(int value)
    {
        using var self = Process.GetCurrentProcess();
        self.Kill();
        Thread.Sleep(Timeout.Infinite);
        return value;
    }

    /// <summary>Squares <paramref name="value"/> after blocking on the gate (so tasks are in flight together with a poison task).</summary>
    [JuggleFunction]
    public static int SquareAfter(string gatePath, int value)
    {
        CrossProcessGate.SignalStartedAndWaitForRelease(gatePath, TimeSpan.FromSeconds(120));
        return value * value;
    }

    [JuggleFunction]
    public static string Text(int length) => new('x', length);

    [JuggleFunction]
    public static int ThrowArgument(string message) => throw new ArgumentException(message);

    /// <summary>The W3C id of the activity the task runs in (restored from the submitter's traceparent), or null.</summary>
    [JuggleFunction]
    public static string? CurrentTraceParent() => Activity.Current?.Id;

    /// <summary>GETs <paramref name="url"/> (a loopback server) and returns the process id it ran in.</summary>
    [JuggleFunction]
    public static int Fetch(string url)
    {
        using var response = s_http.GetAsync(new Uri(url)).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return Environment.ProcessId;
    }

    /// <summary>A result the client reads back only for even values (see <see cref="EvenOnlyResult"/>).</summary>
    [JuggleFunction]
    public static EvenOnlyResult MakeEvenOnly(int value) => new(value);

    /// <summary>Public and static but not marked: workers must refuse it.</summary>
    public static int NotMarked(int value) => value;
}

/// <summary>A result whose setter refuses odd values: it serialises on the worker, and reading it back on the client throws.</summary>
public sealed class EvenOnlyResult
{
    private int _value;

    public EvenOnlyResult()
    {
    }

    public EvenOnlyResult(int value)
    {
        _value = value;
    }

    public int Value
    {
        get => _value;
        set => _value = value % 2 == 0 ? value : throw new InvalidDataException($"EvenOnlyResult refuses {value}");
    }
}
