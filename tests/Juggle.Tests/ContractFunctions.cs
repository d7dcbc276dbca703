namespace Juggle.Tests;

/// <summary>
/// The only work the executor contract submits: static methods with JSON-serialisable arguments and results, so
/// executors that run tasks in other processes can ship them. Handshakes go through <see cref="CrossProcessGate"/>
/// paths or files, never shared objects. Each carries <see cref="JuggleFunctionAttribute"/> so cluster workers run it too.
/// </summary>
public static class ContractFunctions
{
    /// <summary>The message of the exception thrown by <see cref="Fail"/> starts with this.</summary>
    public const string FailurePrefix = "contract failure: ";

    [JuggleFunction]
    public static int Answer() => 42;

    [JuggleFunction]
    public static int Square(int x) => x * x;

    [JuggleFunction]
    public static int Add(int a, int b) => a + b;

    [JuggleFunction]
    public static string Echo(string text) => text;

    [JuggleFunction]
    public static int Sum(int[] values) => values.Sum();

    [JuggleFunction]
    public static string Describe(ContractPoint point) => $"({point.X}, {point.Y}) {point.Label}";

    [JuggleFunction]
    public static ContractPoint Mirror(ContractPoint point) => point with { X = point.Y, Y = point.X };

    /// <summary>Throws <see cref="InvalidOperationException"/> with <see cref="FailurePrefix"/> + <paramref name="message"/>.</summary>
    [JuggleFunction]
    public static int Fail(string message) => throw new InvalidOperationException(FailurePrefix + message);

    /// <summary>Squares non-negative numbers; throws <see cref="InvalidOperationException"/> "bad item {x}" for negative ones.</summary>
    [JuggleFunction]
    public static int SquareOrFail(int x) => x >= 0 ? x * x : throw new InvalidOperationException($"bad item {x}");

    [JuggleFunction]
    public static void DoNothing()
    {
    }

    [JuggleFunction]
    public static void FailAction() => throw new InvalidOperationException(FailurePrefix + "action");

    [JuggleFunction]
    public static async Task<int> AnswerAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return 42;
    }

    [JuggleFunction]
    public static async Task FailAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        throw new InvalidOperationException(FailurePrefix + "async");
    }

    /// <summary>An async method without a token, as <c>Task.Run</c> users write them.</summary>
    [JuggleFunction]
    public static async Task<int> AnswerNoTokenAsync()
    {
        await Task.Yield();
        return 42;
    }

    [JuggleFunction]
    public static async Task<int> SquareAsync(int x)
    {
        await Task.Yield();
        return x * x;
    }

    [JuggleFunction]
    public static async Task<int> AddAsync(int a, int b)
    {
        await Task.Yield();
        return a + b;
    }

    /// <summary>Squares non-negative numbers after an await; throws "bad item {x}" for negative ones, after the await.</summary>
    [JuggleFunction]
    public static async Task<int> SquareOrFailAsync(int x)
    {
        await Task.Yield();
        return x >= 0 ? x * x : throw new InvalidOperationException($"bad item {x}");
    }

    [JuggleFunction]
    public static async Task FailNoTokenAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException(FailurePrefix + "async without a token");
    }

    /// <summary>Writes <paramref name="text"/> to the file <paramref name="path"/> after an await (the future must wait for it).</summary>
    [JuggleFunction]
    public static async Task WriteFileAsync(string path, string text)
    {
        await Task.Yield();
        await File.WriteAllTextAsync(path, text);
    }

    /// <summary>
    /// Waits (without a worker spinning) until the task's token is cancelled, then honours it. Gives up after 20 s
    /// and returns -1, so an executor that never delivers the cancellation fails the test instead of hanging it.
    /// </summary>
    [JuggleFunction]
    public static async Task<int> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
        return -1;
    }

    /// <summary>Signals <paramref name="gatePath"/>'s "started" and blocks until the test releases the gate.</summary>
    [JuggleFunction]
    public static string BlockUntilReleased(string gatePath)
    {
        CrossProcessGate.SignalStartedAndWaitForRelease(gatePath);
        return "released";
    }

    /// <summary>Like <see cref="BlockUntilReleased"/>, then returns <paramref name="value"/>.</summary>
    [JuggleFunction]
    public static int BlockThenReturn(string gatePath, int value)
    {
        CrossProcessGate.SignalStartedAndWaitForRelease(gatePath);
        return value;
    }

    /// <summary>For Map: blocks on the item's gate if it has one, then returns its value.</summary>
    [JuggleFunction]
    public static int ValueOrBlock(GatedValue item)
    {
        if (item.GatePath is not null)
        {
            CrossProcessGate.SignalStartedAndWaitForRelease(item.GatePath);
        }

        return item.Value;
    }

    /// <summary>Appends <paramref name="line"/> to the file at <paramref name="path"/> and returns the line (records execution order across processes).</summary>
    [JuggleFunction]
    public static string AppendLine(string path, string line)
    {
        File.AppendAllText(path, line + "\n");
        return line;
    }
}
