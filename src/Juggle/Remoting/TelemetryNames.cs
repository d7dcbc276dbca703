using System.Collections.Concurrent;
using System.Reflection;

namespace Juggle.Remoting;

/// <summary>Names shared by the parent's and the worker's telemetry (compiled into both).</summary>
internal static class TelemetryNames
{
    /// <summary>The activity source of task spans, in the parent and in worker processes.</summary>
    public const string SourceName = "Juggle";

    /// <summary>The operation name of a task's span; its display name is the function's.</summary>
    public const string TaskOperation = "juggle.task";

    /// <summary>The operation name of the span a process-pool worker opens around the function it runs.</summary>
    public const string WorkerOperation = "juggle.task.run";

    private static readonly ConcurrentDictionary<MethodInfo, string> s_functionNames = new();

    /// <summary>A short, stable name for a function: <c>Type.Method</c>, with compiler-generated names made readable.</summary>
    public static string DescribeFunction(MethodInfo method) => s_functionNames.GetOrAdd(method, static m => Format(m));

    private static string Format(MethodInfo method)
    {
        var name = method.Name;
        if (name.StartsWith('<'))
        {
            // Local function: <Main>g__FetchUrl|0_0 -> FetchUrl; lambda: <Main>b__0_1 -> Main.lambda.
            var local = name.IndexOf(">g__", StringComparison.Ordinal);
            if (local >= 0)
            {
                var end = name.IndexOf('|', local);
                name = end > local ? name[(local + 4)..end] : name[(local + 4)..];
            }
            else
            {
                var close = name.IndexOf('>', StringComparison.Ordinal);
                var outer = close > 1 ? name[1..close] : "anonymous";
                name = (outer == "<Main>$" ? "Main" : outer) + ".lambda";
            }
        }

        var type = method.DeclaringType;
        while (type is not null && (type.Name.StartsWith('<') || type.Name.StartsWith("Program", StringComparison.Ordinal) && type.IsNested))
        {
            type = type.DeclaringType;
        }

        if (type is null || name.EndsWith(".lambda", StringComparison.Ordinal) && type.Name == "Program")
        {
            return name;
        }

        var typeName = type.Name;
        var tick = typeName.IndexOf('`', StringComparison.Ordinal);
        return (tick > 0 ? typeName[..tick] : typeName) + "." + name;
    }
}
