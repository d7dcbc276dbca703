namespace Juggle.Cli.Tests;

public sealed class CliAppTests
{
    private static CliEnvironment Env() => new() { Out = TextWriter.Null, Error = TextWriter.Null };

    [Fact]
    public void The_full_tree_has_every_command()
    {
        var names = CliApp.Build(Env()).Subcommands.Select(c => c.Name).ToArray();

        Assert.Equal(["demo", "titles", "bench", "download", "words", "serve", "worker", "cluster"], names);
    }

    [Fact]
    public void A_run_of_one_command_builds_only_that_command()
    {
        Assert.Equal(["titles"], CliApp.Build(Env(), "titles").Subcommands.Select(c => c.Name));
        // Anything else (an option, a typo) gets the whole tree, so help and "did you mean" see every command.
        Assert.Equal(8, CliApp.Build(Env(), "--help").Subcommands.Count);
        Assert.Equal(8, CliApp.Build(Env(), "titels").Subcommands.Count);
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
