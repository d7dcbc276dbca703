using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Juggle.Cli.Reporting;
using Juggle.Cli.Commands;

namespace Juggle.Cli;

/// <summary>Builds the <c>juggle</c> command tree and runs it, mapping failures to exit codes.</summary>
internal static class CliApp
{
    // Label: the argument placeholder the root help shows after the name (e.g. "titles <URL>"), null for none.
    private static readonly (string Name, string Summary, string? Label, Func<CliEnvironment, Command> Create)[] s_commands =
    [
        ("demo", DemoCommand.Summary, null, DemoCommand.Create),
        ("titles", TitlesCommand.Summary, "URL", TitlesCommand.Create),
        ("bench", BenchCommand.Summary, "io|cpu|hash|primes", BenchCommand.Create),
        ("download", DownloadCommand.Summary, "URL", DownloadCommand.Create),
        ("words", WordsCommand.Summary, "FILE|DIR|URL", WordsCommand.Create),
        ("serve", ServeCommand.Summary, null, ServeCommand.Create),
        ("worker", WorkerCommand.Summary, null, WorkerCommand.Create),
        ("cluster", ClusterCommand.Summary, null, ClusterCommand.Create),
    ];

    /// <summary>The root command's name, as help and usage show it.</summary>
    internal const string RootName = "juggle";

    /// <summary>The root command's description, the first lines of <c>juggle --help</c>.</summary>
    internal const string RootDescription = "juggle: fetch titles, download, count words and benchmark sequential vs threads vs async vs processes, built on Juggle's executors.";

    /// <summary>Every command's name, one-line summary and argument placeholder, in help order.</summary>
    internal static (string Name, string Summary, string? Label)[] Outline
    {
        get
        {
            var outline = new (string Name, string Summary, string? Label)[s_commands.Length];
            for (var i = 0; i < outline.Length; i++)
            {
                outline[i] = (s_commands[i].Name, s_commands[i].Summary, s_commands[i].Label);
            }

            return outline;
        }
    }

    /// <summary>
    /// The command tree for <paramref name="args"/>. A command line naming a command first gets a root holding just
    /// that one: building every command's options costs start-up time that a run of one command never uses. A command
    /// line naming none (<c>--help</c>, <c>--version</c>, a typo) gets the outline: every command's name, one-line
    /// summary and argument placeholder, all the root help and "did you mean" read. One naming a command later
    /// (<c>juggle --help titles</c>) gets the full tree.
    /// </summary>
    public static Command Build(CliEnvironment env, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count > 0 && Array.FindIndex(s_commands, c => c.Name == args[0]) is var first and >= 0)
        {
            var root = Root();
            root.Subcommands.Add(s_commands[first].Create(env));
            return root;
        }

        return args.Any(a => Array.Exists(s_commands, c => c.Name == a)) ? BuildFull(env) : BuildOutline();
    }

    /// <summary>Every command with all its options and actions.</summary>
    public static Command BuildFull(CliEnvironment env)
    {
        var root = Root();
        foreach (var (_, _, _, create) in s_commands)
        {
            root.Subcommands.Add(create(env));
        }

        return root;
    }

    /// <summary>Every command as name, summary and argument placeholder only: the root help's rows, nothing to run.</summary>
    public static Command BuildOutline()
    {
        var root = Root();
        foreach (var (name, summary, label, _) in s_commands)
        {
            var command = new Command(name, summary);
            if (label is not null)
            {
                command.Arguments.Add(new Argument<string>(label));
            }

            root.Subcommands.Add(command);
        }

        return root;
    }

    // A plain command named "juggle" rather than RootCommand, whose name would be the entry assembly's ("Juggle.Cli").
    private static Command Root() => new(RootName, RootDescription)
    {
        new HelpOption(),
        new VersionOption(),
    };

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(args);
        if (RootHelp.IsRequest(args))
        {
            // No command, or --help alone: show what there is, without building a command tree.
            await env.Out.WriteAsync(RootHelp.Render(RootHelp.ConsoleWidth())).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var root = Build(env, args);

        var parsed = root.Parse(args);
        if (UsageError(root, parsed, args) is { } usage)
        {
            foreach (var message in usage)
            {
                // One line each: Clean escapes a newline inside a message (from a value given).
                await env.Error.WriteLineAsync($"juggle: {TerminalText.Clean(message)}").ConfigureAwait(false);
            }

            await env.Error.WriteLineAsync("Run 'juggle --help' (or 'juggle COMMAND --help') for usage.").ConfigureAwait(false);
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
            // A worker node or local cluster ends with Ctrl+C by design: a graceful stop is success.
            var stopsOnInterrupt = parsed.CommandResult.Command.Name is "worker" or "up";
            return cancellationToken.IsCancellationRequested && !stopsOnInterrupt ? ExitCodes.Interrupted : code;
        }
        catch (UsageException ex)
        {
            await env.Error.WriteLineAsync($"juggle: {TerminalText.Clean(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync("juggle: interrupted.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            // Not an item failure (those are reported per item) but the run itself: a file that can't be written,
            // a process pool that can't start. One clear line, the stack trace only on request.
            await env.Error.WriteLineAsync($"juggle: {TerminalText.Clean(ex.Message)}").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("JUGGLE_DEBUG") is "1")
            {
                await env.Error.WriteLineAsync(TerminalText.Clean(ex.ToString())).ConfigureAwait(false);
            }

            return ExitCodes.SomeFailed;
        }
    }

    /// <summary>
    /// The messages for a command line that can't run (one line each), or null. Unknown commands and options get a "did you
    /// mean"; a token that looks like an option but isn't one is never taken for a URL or file (unless after <c>--</c>).
    /// </summary>
    internal static IReadOnlyList<string>? UsageError(Command root, ParseResult parsed, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(args);
        var command = parsed.CommandResult.Command;
        if (command == root && parsed.Errors.Count > 0 && args.Length > 0)
        {
            var first = args[0];
            if (first.StartsWith('-'))
            {
                return [$"unknown option '{first}'. Give a command first, e.g. 'juggle titles {first} ...'."];
            }

            var names = root.Subcommands.Select(c => c.Name).ToList();
            var guess = Suggest.Closest(first, names);
            return [$"unknown command '{first}'.{(guess is null ? "" : $" Did you mean '{guess}'?")} Commands: {string.Join(", ", names)}."];
        }

        // An unknown option (a typo such as --wrokers) lands in the URL/FILE argument: report it as what it is.
        var tokens = parsed.Tokens;
        var doubleDash = tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                if (token.Value.Length > 1 && token.Value.StartsWith('-') && !double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    var at = tokens.ToList().FindIndex(t => ReferenceEquals(t, token));
                    if (doubleDash < 0 || at < doubleDash)
                    {
                        var options = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
                        var guess = Suggest.Closest(token.Value, options);
                        return [$"unknown option '{token.Value}' for 'juggle {command.Name}'.{(guess is null ? "" : $" Did you mean '{guess}'?")} (A value starting with '-' goes after '--'.)"];
                    }
                }
            }
        }

        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        // "Required command was not provided" next to a more precise error only contradicts it.
        return parsed.Errors.Select(e => e.Message).Distinct().ToList();
    }
}
