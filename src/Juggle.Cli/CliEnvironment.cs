using Spectre.Console;

namespace Juggle.Cli;

/// <summary>
/// Everything a command touches outside itself: the rich console, raw output/error writers, stdin and how to
/// build HTTP handlers. Tests build one around string writers; the program builds one around the real console.
/// </summary>
internal sealed class CliEnvironment
{
    private IAnsiConsole? _console;

    /// <summary>The rich console (progress bars, tables, colour); created on first use, see <see cref="ConsoleFactory"/>.</summary>
    public IAnsiConsole Console
    {
        get => _console ?? LazyInitializer.EnsureInitialized(ref _console, ConsoleFactory ?? throw new InvalidOperationException("CliEnvironment needs Console or ConsoleFactory."));
        init => _console = value;
    }

    /// <summary>
    /// Makes <see cref="Console"/> when first needed. Spectre's terminal detection costs ~15 ms of start-up, which
    /// <c>juggle titles --json | …</c> never needs.
    /// </summary>
    public Func<IAnsiConsole>? ConsoleFactory { get; init; }

    /// <summary>Raw result lines (plain text or JSON Lines), never wrapped or decorated.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Diagnostics and summaries in non-interactive mode, so stdout stays machine-readable.</summary>
    public required TextWriter Error { get; init; }

    private TextReader? _in;

    /// <summary>Standard input, for <c>-i -</c>; made by <see cref="InFactory"/> on first use when not given.</summary>
    public TextReader In
    {
        get => _in ?? LazyInitializer.EnsureInitialized(ref _in, () => InFactory?.Invoke() ?? TextReader.Null);
        init => _in = value;
    }

    /// <summary>
    /// Makes <see cref="In"/> when first needed: the console's reader looks up the terminal's encoding (through the
    /// code-page provider), start-up work that only <c>-i -</c> uses.
    /// </summary>
    public Func<TextReader>? InFactory { get; init; }

    /// <summary><see langword="true"/> when stdout is a terminal: progress bars, colour, live tables.</summary>
    public bool Interactive { get; init; }

    /// <summary>Makes the HTTP handler for a run; tests may swap it. Defaults to <see cref="Http.HttpFactory.CreateHandler"/>.</summary>
    public Func<Http.HttpSettings, HttpMessageHandler>? HandlerFactory { get; init; }

    /// <summary>Where <c>demo</c> writes its saved books; a fresh temp folder when null.</summary>
    public string? WorkDirectory { get; init; }

    public static CliEnvironment FromSystemConsole()
    {
        var interactive = !System.Console.IsOutputRedirected;
        return new CliEnvironment
        {
            ConsoleFactory = () => CreateAnsiConsole(interactive),
            Out = interactive ? System.Console.Out : RedirectedOut(),
            Error = System.Console.Error,
            InFactory = () => System.Console.In,
            Interactive = interactive,
        };
    }

    /// <summary>
    /// Stdout for a pipe or a file: UTF-8 as <see cref="System.Console.Out"/> and flushed after every call as it is,
    /// but with room for a whole batch of result lines (see <see cref="Reporting.LineBatcher"/>) in one write, where
    /// the console's writer cuts every 256 characters into a system call of their own.
    /// </summary>
    private static TextWriter RedirectedOut() =>
        TextWriter.Synchronized(new StreamWriter(System.Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), Reporting.LineBatcher.MaxChars * 2, leaveOpen: true)
        {
            AutoFlush = true,
        });

    private static IAnsiConsole CreateAnsiConsole(bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!interactive)
        {
            // Redirected output has no width; don't squeeze tables into 80 columns.
            console.Profile.Width = 160;
        }

        return console;
    }
}
