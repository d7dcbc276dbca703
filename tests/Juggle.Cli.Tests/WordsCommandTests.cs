using System.Text.Json;

namespace Juggle.Cli.Tests;

public sealed class WordsCommandTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("juggle-words-test");

    public void Dispose() => _dir.Delete(recursive: true);

    private static JsonElement Summary(CliResult result) =>
        JsonDocument.Parse(result.OutLines[^1]).RootElement.Clone();

    [Fact]
    public async Task Counts_files_and_folders_and_merges_the_totals()
    {
        var sub = _dir.CreateSubdirectory("books");
        await File.WriteAllTextAsync(Path.Combine(sub.FullName, "a.txt"), "The cat and the hat. THE END");
        await File.WriteAllTextAsync(Path.Combine(sub.FullName, "b.txt"), "the whale's tale");
        await File.WriteAllTextAsync(Path.Combine(sub.FullName, "skip.md"), "the the the");
        var single = Path.Combine(_dir.FullName, "c.txt");
        await File.WriteAllTextAsync(single, "cat cat");

        var result = await CliHarness.RunAsync(["words", sub.FullName, single, "--json", "-n", "2"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = Summary(result);
        Assert.Equal(3, summary.GetProperty("files").GetInt32());
        Assert.Equal(12, summary.GetProperty("words").GetInt64());
        var top = summary.GetProperty("top").EnumerateArray().Select(t => (t.GetProperty("word").GetString(), t.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("the", 4), ("cat", 3)], top);
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("sequential")]
    [InlineData("async")]
    [InlineData("processes")]
    public async Task Downloads_urls_then_counts_them_with_the_same_result_in_every_mode(string mode)
    {
        var result = await CliHarness.RunAsync(["words", server.Url("books/1.txt"), server.Url("books/2.txt"), "--json", "--mode", mode]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        Workloads.WordCounter.Merge(expected, Workloads.WordCounter.Count(Demo.BookText.Generate(1)));
        Workloads.WordCounter.Merge(expected, Workloads.WordCounter.Count(Demo.BookText.Generate(2)));
        var summary = Summary(result);
        Assert.Equal(expected.Values.Sum(v => (long)v), summary.GetProperty("words").GetInt64());
        Assert.Equal(expected.Count, summary.GetProperty("distinct").GetInt32());
    }

    [Fact]
    public async Task Missing_inputs_and_failed_downloads_are_reported_without_sinking_the_rest()
    {
        var file = Path.Combine(_dir.FullName, "ok.txt");
        await File.WriteAllTextAsync(file, "one two two");

        var result = await CliHarness.RunAsync(["words", file, "/no/such/file.txt", server.Url("t/status/404"), "--retries", "0", "-n", "3"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ERROR /no/such/file.txt", result.Out);
        Assert.Contains("HTTP 404", result.Out);
        Assert.Contains("two", result.Console);
        Assert.Contains("1 files", result.Console);
    }

    [Fact]
    public async Task Save_keeps_the_downloaded_texts()
    {
        var save = Path.Combine(_dir.FullName, "saved");
        var result = await CliHarness.RunAsync(["words", server.Url("books/3.txt"), "--save", save]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Demo.BookText.Generate(3), await File.ReadAllTextAsync(Path.Combine(save, "3.txt")));
    }
}
