using System.Text;
using Juggle.Cli;
using Spectre.Console;

namespace Juggle.Cli.Tests;

/// <summary>Runs the CLI in-process with the console, stdout and stderr captured.</summary>
internal sealed class CliHarness
{
    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public StringWriter ConsoleText { get; } = new();

    public static async Task<CliResult> RunAsync(string[] args, string stdin = "", bool interactive = false, string? workDirectory = null, CancellationToken cancellationToken = default)
    {
        var harness = new CliHarness();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(harness.ConsoleText),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var env = new CliEnvironment
        {
            Console = console,
            Out = harness.Out,
            Error = harness.Error,
            In = new StringReader(stdin),
            Interactive = interactive,
            WorkDirectory = workDirectory,
        };
        var code = await CliApp.RunAsync(args, env, cancellationToken).WaitAsync(TimeSpan.FromSeconds(90), CancellationToken.None);
        return new CliResult(code, harness.Out.ToString(), harness.Error.ToString(), harness.ConsoleText.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Out, string Error, string Console)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => new StringBuilder()
        .AppendLine($"exit {ExitCode}").AppendLine("--- out").AppendLine(Out).AppendLine("--- err").AppendLine(Error).AppendLine("--- console").AppendLine(Console).ToString();
}
