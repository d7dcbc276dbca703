using System.Globalization;
using System.Runtime.InteropServices;
using Juggle.RabbitMQ;
using Microsoft.Extensions.Logging;

// A worker node for the tests: `--broker URI --assembly PATH [--queue Q] [--concurrency N] [--processes N]
// [--heartbeat S] [--node NAME] [--prefetch N] [--claim-timeout S]`. Prints "ready" once it takes tasks; stops
// gracefully on SIGTERM or when its standard input ends (the test host closed it or died).
// `client --broker URI --assembly PATH --queue Q --folder DIR --gate PATH --count N`: a client process instead (see Client).
if (args.Length > 0 && args[0] == "client")
{
    return Client.Run(args[1..]);
}

var options = new RabbitMqWorkerOptions { Logger = new StderrLogger() };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--broker": options.Broker = new Uri(value); break;
        case "--assembly": options.AssemblyPaths.Add(value); break;
        case "--queue": options.QueueName = value; break;
        case "--concurrency": options.Concurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--processes": options.Processes = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--prefetch": options.Prefetch = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--heartbeat": options.Heartbeat = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--claim-timeout": options.ClaimTimeout = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--node": options.NodeName = value; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
_ = Task.Run(() =>
{
    // The end of standard input means the test host is gone: no orphan workers.
    while (Console.In.ReadLine() is not null)
    {
    }

    stop.Cancel();
});

await using var worker = new RabbitMqWorker(options);
var run = worker.RunAsync(stop.Token);
try
{
    await worker.Ready;
    Console.Out.WriteLine("ready");
    Console.Out.Flush();
}
catch (Exception ex) when (ex is OperationCanceledException or BrokerConnectionException)
{
    Console.Error.WriteLine(ex.Message);
}

try
{
    await run;
}
catch (BrokerConnectionException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 3;
}

return 0;

internal sealed class StderrLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"[{logLevel}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
    }
}

/// <summary>
/// A client process that tests kill: submits N tasks of the test assembly's <c>ClusterFunctions.MarkThenBlock</c>
/// (found by reflection, so this app needs no reference to the tests), prints "submitted", then waits for ever.
/// </summary>
internal static class Client
{
    public static int Run(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        var assembly = System.Reflection.Assembly.LoadFrom(values["--assembly"]);
        var method = assembly.GetType("Juggle.RabbitMQ.Tests.ClusterFunctions", throwOnError: true)!.GetMethod("MarkThenBlock")!;
        var mark = method.CreateDelegate<Func<string, int, int>>();
        using var executor = new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = new Uri(values["--broker"]), QueueName = values["--queue"] });
        var count = int.Parse(values["--count"], CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            executor.Submit(mark, values["--folder"] + "\n" + values["--gate"], i);
        }

        Console.Out.WriteLine("submitted");
        Console.Out.Flush();
        while (Console.In.ReadLine() is not null)
        {
        }

        return 0;
    }
}
