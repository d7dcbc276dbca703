using System.Runtime.InteropServices;
using System.Text;

namespace Juggle.Cli;

/// <summary>The <c>juggle</c> entry point: wires the real console, stdin and stop signals to <see cref="CliApp"/>.</summary>
internal static class Program
{
    // Not async: an async Main costs a dozen JIT-compiled methods (its state machine) before any work starts.
    private static int Main(string[] args)
    {
        // A worker process of --mode processes is this same program: it serves and exits here, before anything prints.
        // Needed by the native build (no startup hooks); the JIT-compiled tool's workers never reach Main.
        ProcessPoolWorker.RunIfRequested(Native.CliJsonResolver.Instance);
        if (RootHelp.IsRequest(args))
        {
            // `juggle --help` and `juggle` alone: the text and nothing else, before any start-up work.
            return RootHelp.WriteToConsole();
        }

        // `titles` only: JIT-compile the first request's path on the idle core while this one parses the arguments.
        Http.HttpWarmUp.StartFor(args);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Console.OutputEncoding = Encoding.UTF8;
        using var interrupt = new CancellationTokenSource();
        var signal = 0;

        // Ctrl+C (SIGINT), `kill` (SIGTERM, also what service managers and `timeout` send) and a closed terminal
        // (SIGHUP) all stop the run the same graceful way: the summary so far, no partial files. The exit code says
        // which: 128 + the signal number (130, 143, 129), as a shell reports a process killed by it. A second signal
        // gets the runtime's default: stop now.
        void Stop(PosixSignalContext context)
        {
            if (Interlocked.CompareExchange(ref signal, SignalNumber(context.Signal), 0) == 0)
            {
                context.Cancel = true;
                interrupt.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        var env = CliEnvironment.FromSystemConsole();
        var code = CliApp.RunAsync(args, env, interrupt.Token).GetAwaiter().GetResult();
        if (code == ExitCodes.Interrupted && Volatile.Read(ref signal) is var number and > 0)
        {
            // Stopped by a signal: the summary is out, nothing is half-written; nothing is left to wait for either
            // (a cluster run's tasks on worker nodes may never answer), so no exit-time wait.
            Juggle.Worker.ImmediateExit.Exit(128 + number);
        }

        return code;
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => 2,
    };
}
