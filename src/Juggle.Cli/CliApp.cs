using System.CommandLine;
using System.CommandLine.Help;
using Juggle.Cli.Commands;

namespace Juggle.Cli;

/// <summary>Builds the <c>juggle</c> command tree and runs it, mapping failures to exit codes.</summary>
internal static class CliApp
{
    private static readonly (string Name, Func<CliEnvironment, Command> Create)[] s_commands =
    [
        ("demo", DemoCommand.Create),
        ("titles", TitlesCommand.Create),
        ("bench", BenchCommand.Create),
        ("download", DownloadCommand.Create),
        ("words", WordsCommand.Create),
        ("serve", ServeCommand.Create),
    ];

    /// <summary>
    /// The command tree. With <paramref name="only"/> naming a command, the root holds just that one: building every
    /// command's options costs start-up time (JIT-compiled generic options) that a run of one command never uses.
    /// </summary>
    public static Command Build(CliEnvironment env, string? only = null)
    {
        // A plain command named "juggle" rather than RootCommand, whose name would be the entry assembly's ("Juggle.Cli").
        var root = new Command("juggle", "juggle: fetch titles, download, count words and benchmark sequential vs threads vs async vs processes, built on Juggle's executors.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var (name, create) in s_commands)
        {
            if (name == only)
            {
                root.Subcommands.Add(create(env));
                return root;
            }
        }

        foreach (var (_, create) in s_commands)
        {
            root.Subcommands.Add(create(env));
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(args);
        var root = Build(env, args.Length > 0 ? args[0] : null);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await env.Error.WriteLineAsync($"juggle: {error.Message}").ConfigureAwait(false);
            }

            await env.Error.WriteLineAsync("Run 'juggle --help' (or 'juggle COMMAND --help') for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (parsed.CommandResult.Command == root && args.Length == 0)
        {
            await env.Error.WriteLineAsync("juggle: give a command, e.g. 'juggle demo' or 'juggle titles https://example.com'. Run 'juggle --help' for the list.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            var config = new InvocationConfiguration
            {
                Output = env.Out,
                Error = env.Error,
                EnableDefaultExceptionHandler = false,
                // Ctrl+C is handled by Program: commands see the token, print their summary and return 130.
                ProcessTerminationTimeout = null,
            };
            var code = await parsed.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : code;
        }
        catch (UsageException ex)
        {
            await env.Error.WriteLineAsync($"juggle: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync("juggle: interrupted.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or HttpRequestException)
        {
            // Not an item failure (those are reported per item) but the run itself: a file that can't be written,
            // a process pool that can't start. One clear line, the stack trace only on request.
            await env.Error.WriteLineAsync($"juggle: {ex.Message}").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("JUGGLE_DEBUG") is "1")
            {
                await env.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.SomeFailed;
        }
    }
}
