using System.CommandLine;
using Juggle.Cli.Demo;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle serve</c>: runs the demo server (pages, books and the awkward test cases under <c>/t/</c>) until
/// Ctrl+C, for trying the other commands and for benchmarks.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var latency = OptionRules.Int("--latency", "Latency per request, ms (0 to 10000)", 0, 10_000, 200, 50);
        var urls = OptionRules.Int("--write-urls", "Print N page URLs (one per line) on stdout, for -i (0 to 1000000)", 0, 1_000_000, 0, 1000);
        var command = new Command("serve", "Serve the demo pages, books and awkward test cases on 127.0.0.1 until Ctrl+C") { latency, urls };
        command.SetAction(async (result, token) =>
        {
            var server = await DemoServer.StartAsync(TimeSpan.FromMilliseconds(result.GetValue(latency)), AwkwardRoutes.Map, token).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await env.Error.WriteLineAsync($"serving on {server.BaseAddress} (pages: page/N, pokedex/1-20, books/N.txt, awkward cases: t/...); Ctrl+C to stop").ConfigureAwait(false);
                for (var i = 1; i <= result.GetValue(urls); i++)
                {
                    await env.Out.WriteLineAsync(server.PageUrl(i).ToString()).ConfigureAwait(false);
                }

                await env.Out.FlushAsync(token).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }
}
