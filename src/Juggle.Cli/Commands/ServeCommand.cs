using System.CommandLine;
using Juggle.Cli.Demo;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle serve</c>: runs the demo server (seed 000's posts under <c>/p/</c>, pages, books and the awkward test
/// cases under <c>/t/</c>) on 127.0.0.1 until Ctrl+C, for trying the other commands, the README's quick start and
/// benchmarks.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Serve the demo pages, books and awkward test cases on 127.0.0.1 until Ctrl+C";

    public static Command Create(CliEnvironment env)
    {
        var latency = OptionRules.Int("--latency", "Latency per request, ms (0 to 10000)", 0, 10_000, 200, 50);
        var urls = OptionRules.Int("--write-urls", "Print N page URLs (one per line) on stdout, for -i (0 to 1000000)", 0, 1_000_000, 0, 1000);
        var port = new Option<int>("--port")
        {
            Description = "TCP port on 127.0.0.1 (0: a free port, printed at start)",
            DefaultValueFactory = _ => 0,
            CustomParser = r =>
            {
                // One parser for both faults (not a number, not a port), so neither reaches the action as an exception.
                var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : string.Empty;
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= 65535)
                {
                    return value;
                }

                r.AddError($"--port '{text}' is not a TCP port: give 1-65535, or 0 for a free port.");
                return 0;
            },
        };
        var command = new Command("serve", Summary) { latency, urls, port };
        command.SetAction(async (result, token) =>
        {
            var server = await StartAsync(TimeSpan.FromMilliseconds(result.GetValue(latency)), result.GetValue(port), token).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await env.Error.WriteLineAsync($"serving on {server.BaseAddress} (seed 000's posts: p/hype-cycles, p/the-weirdest-python-keyword, ...; pages: page/N, pokedex/1-20, books/N.txt, awkward cases: t/...); Ctrl+C to stop").ConfigureAwait(false);
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

    private static async Task<DemoServer> StartAsync(TimeSpan latency, int port, CancellationToken token)
    {
        try
        {
            return await DemoServer.StartAsync(latency, AwkwardRoutes.Map, port, token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel reports a taken port as an IOException around AddressInUseException: a usage error, not a crash.
            throw new UsageException($"cannot listen on 127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({ex.Message}); pick another port with --port N, or --port 0 for a free one.", ex);
        }
    }
}
