using System.Diagnostics;

namespace Juggle.Tests;

/// <summary>Static functions the process pool tests run in worker processes.</summary>
public static class ProcessPoolFunctions
{
    public static int Pid() => Environment.ProcessId;

    public static int PidOf(int ignored) => Environment.ProcessId;

    public static int Square(int x) => x * x;

    public static int CrashWithFailFast(int code)
    {
        Environment.FailFast($"deliberate crash {code}");
        return code;
    }

    public static int KillSelf(int ignored)
    {
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static int Recurse(int depth) => depth == int.MinValue ? 0 : Recurse(depth + 1) + 1;

    /// <summary>Spins (never yields) until killed.</summary>
    public static int SpinForever(int seed)
    {
        var x = seed;
        while (true)
        {
            x = unchecked((x * 1103515245) + 12345);
        }
    }

    public static int ExitWith(int code)
    {
        Environment.Exit(code);
        return code;
    }

    public static int ThrowArgument(string message) => throw new ArgumentOutOfRangeException(message);

    public static int ThrowCustom(string message) => throw new ProcessPoolCustomException(message);

    public static int ThrowUnrecreatable(string message) => throw new NoStringCtorException(message, 7);

    public static int Length(byte[] data) => data.Length;

    public static byte[] MakeBytes(int size)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (byte)(i * 31);
        }

        return data;
    }

    public static string PrintAndReturn(string text)
    {
        Console.WriteLine("this line goes to stderr, not into the frames: " + text);
        Console.Out.Flush();
        return text;
    }

    /// <summary>A side effect visible across processes: creates <paramref name="path"/>.</summary>
    public static int CreateFile(string path)
    {
        File.WriteAllText(path, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Environment.ProcessId;
    }

    /// <summary>Waits on the item's gate if it has one, then creates its file.</summary>
    public static int CreateFileAfterGate(MarkedItem item)
    {
        if (item.GatePath is not null)
        {
            CrossProcessGate.SignalStartedAndWaitForRelease(item.GatePath);
        }

        return CreateFile(item.Path);
    }

    /// <summary>Serialises fine in the worker; its setter refuses the value when the parent reads it back.</summary>
    public static TouchyResult MakeTouchy(int value) => new(value);

    public static int ThrowWithBrokenMessage(int ignored) => throw new BrokenMessageException();

    public static int ThrowWithBrokenStackTrace(int ignored) => throw new BrokenStackTraceException();

    public static string HugeString(int length) => new('x', length);

    public static int ThrowHugeMessage(int length) => throw new InvalidOperationException(new string('e', length));

    public static void FailingInitializer() => throw new InvalidOperationException("initializer says no");

    public static void SettingInitializer() => Environment.SetEnvironmentVariable("JUGGLE_TEST_INIT", "initialised");

    public static string ReadInitialised() => Environment.GetEnvironmentVariable("JUGGLE_TEST_INIT") ?? "not initialised";

    public static int CpuLoop(int iterations)
    {
        var acc = 0.0;
        for (var i = 1; i <= iterations; i++)
        {
            acc += Math.Sqrt(i) * Math.Sin(i);
        }

        return (int)acc;
    }

    public static (int Pid, int Value) PidAndValue(int value) => (Environment.ProcessId, value);

    /// <summary>Even numbers give a one-node chain; odd ones a cycle, which System.Text.Json refuses to write.</summary>
    public static ProcessPoolNode ChainOrCycle(int x)
    {
        var node = new ProcessPoolNode { Value = x };
        if (x % 2 != 0)
        {
            node.Next = node;
        }

        return node;
    }
}

public sealed class ProcessPoolNode
{
    public int Value { get; set; }

    public ProcessPoolNode? Next { get; set; }
}

public sealed class ProcessPoolCustomException(string message) : Exception(message);

public sealed class NoStringCtorException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}

public sealed class NotSerialisable
{
    public NotSerialisable(int a, int b)
    {
        Sum = a + b;
    }

    public int Sum { get; }
}

/// <summary>A result whose property setter throws when the value is read back (System.Text.Json calls it).</summary>
public sealed class TouchyResult
{
    private int _value;

    public TouchyResult()
    {
    }

    public TouchyResult(int value)
    {
        _value = value;
    }

    public int Value
    {
        get => _value;
        set => throw new InvalidDataException($"TouchyResult refuses {value}");
    }
}

/// <summary>An exception whose Message getter throws (no string constructor, so it comes back as a RemoteException).</summary>
public sealed class BrokenMessageException : Exception
{
    public override string Message => throw new InvalidOperationException("the Message getter is broken");
}

/// <summary>An exception whose StackTrace getter throws.</summary>
public sealed class BrokenStackTraceException : Exception
{
    public override string Message => "stack trace unavailable";

    public override string StackTrace => throw new InvalidOperationException("the StackTrace getter is broken");
}

public sealed record MarkedItem(string Path, string? GatePath);
