using System.Text;
using Spectre.Console;

namespace Juggle.Cli;

/// <summary>The <c>juggle</c> entry point: wires the real console, stdin and Ctrl+C to <see cref="CliApp"/>.</summary>
internal static class Program
{
    // Not async: an async Main costs a dozen JIT-compiled methods (its state machine) before any work starts.
    private static int Main(string[] args)
    {
        // `titles` only: JIT-compile the first request's path on the idle core while this one parses the arguments.
        Http.HttpWarmUp.StartFor(args);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Console.OutputEncoding = Encoding.UTF8;
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop gracefully (summary, no partial files). Second: let the runtime kill us.
            if (!interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                interrupt.Cancel();
            }
        };

        var env = CliEnvironment.FromSystemConsole();
        return CliApp.RunAsync(args, env, interrupt.Token).GetAwaiter().GetResult();
    }
}
