namespace Juggle.Cli.Tests;

public sealed class CliAppTests
{
    private static CliEnvironment Env() => new() { Out = TextWriter.Null, Error = TextWriter.Null };

    [Fact]
    public void The_full_tree_has_every_command()
    {
        var names = CliApp.BuildFull(Env()).Subcommands.Select(c => c.Name).ToArray();

        Assert.Equal(["demo", "titles", "bench", "download", "words", "serve", "worker", "cluster"], names);
    }

    [Fact]
    public void A_run_of_one_command_builds_only_that_command()
    {
        Assert.Equal(["titles"], CliApp.Build(Env(), ["titles", "x"]).Subcommands.Select(c => c.Name));
        // Anything else (an option, a typo) gets every command, so help and "did you mean" see them all: as the
        // outline (no options) unless a command is named later on the line, which then needs its options.
        var outline = CliApp.Build(Env(), ["--help"]);
        Assert.Equal(8, outline.Subcommands.Count);
        Assert.All(outline.Subcommands, c => Assert.Empty(c.Options));
        Assert.Equal(8, CliApp.Build(Env(), ["titels"]).Subcommands.Count);
        Assert.Equal(8, CliApp.Build(Env(), []).Subcommands.Count);
        Assert.Contains(CliApp.Build(Env(), ["--help", "titles"]).Subcommands, c => c.Name == "titles" && c.Options.Count > 0);
    }

    [Fact]
    public async Task The_root_help_from_the_outline_is_the_full_trees_help()
    {
        var full = await HelpOfAsync(CliApp.BuildFull(Env()));
        var outline = await HelpOfAsync(CliApp.BuildOutline());
        var run = await CliHarness.RunAsync(["--help"]);

        Assert.Contains("titles <URL>", full, StringComparison.Ordinal);
        Assert.Contains("bench <io|cpu|hash|primes>", full, StringComparison.Ordinal);
        Assert.Equal(full, outline);
        Assert.Equal(full, run.Out);
    }

    [Fact]
    public async Task Help_after_an_option_shows_the_commands_options()
    {
        var help = await CliHarness.RunAsync(["--help", "titles"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--select", help.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(200)]
    [InlineData(120)]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(40)]
    [InlineData(24)]
    public async Task The_root_help_written_without_a_command_tree_is_System_CommandLines_own_at_every_width(int width)
    {
        var library = await HelpOfAsync(CliApp.BuildFull(Env()), width);

        Assert.Equal(library, RootHelp.Render(width));
    }

    [Fact]
    public void The_root_help_written_to_a_pipe_or_file_is_the_rendered_help_at_unlimited_width() =>
        Assert.Equal(RootHelp.Render(int.MaxValue).ReplaceLineEndings("\n"), System.Text.Encoding.UTF8.GetString(RootHelp.Unwrapped));

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("/h")]
    [InlineData("-?")]
    [InlineData("/?")]
    public async Task Nothing_or_one_help_option_gets_the_root_help(params string[] args)
    {
        Assert.True(RootHelp.IsRequest(args));
        var run = await CliHarness.RunAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(await HelpOfAsync(CliApp.BuildFull(Env())), run.Out);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("--help", "titles")]
    [InlineData("titles", "--help")]
    [InlineData("--help", "--help")]
    public void Anything_more_than_one_help_option_goes_through_the_command_tree(params string[] args) =>
        Assert.False(RootHelp.IsRequest(args));

    private static async Task<string> HelpOfAsync(System.CommandLine.Command root, int? width = null)
    {
        using var output = new StringWriter();
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        if (width is { } w)
        {
            var help = root.Options.OfType<System.CommandLine.Help.HelpOption>().Single();
            help.Action = new System.CommandLine.Help.HelpAction { MaxWidth = w };
        }

        Assert.Equal(0, await root.Parse(["--help"]).InvokeAsync(config));
        return output.ToString();
    }

    [Fact]
    public async Task Help_for_one_command_and_a_typo_still_work()
    {
        var help = await CliHarness.RunAsync(["titles", "--help"]);
        var typo = await CliHarness.RunAsync(["titels", "x"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--select", help.Out, StringComparison.Ordinal);
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("titels", typo.Error, StringComparison.Ordinal);
    }
}
