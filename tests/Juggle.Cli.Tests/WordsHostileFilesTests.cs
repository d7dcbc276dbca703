using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Juggle.Cli.Workloads;

namespace Juggle.Cli.Tests;

/// <summary><c>words</c> against files that are not what they seem: FIFOs, devices, link loops, binaries, huge files.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WordsHostileFilesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("juggle-words-hostile");

    public void Dispose()
    {
        foreach (var locked in Directory.EnumerateDirectories(_dir.FullName, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _dir.Delete(recursive: true);
    }

    private static List<JsonElement> Rows(CliResult result) => result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"{file} did not finish");
        Assert.Equal(0, process.ExitCode);
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("processes")]
    public async Task A_fifo_a_binary_file_a_broken_link_and_a_link_loop_are_reported_and_the_rest_counted_once(string mode)
    {
        var books = _dir.CreateSubdirectory("books").FullName;
        await File.WriteAllTextAsync(Path.Combine(books, "a.txt"), "the cat the hat");
        await File.WriteAllBytesAsync(Path.Combine(books, "image.txt"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 13, 0x41]);
        Run("mkfifo", Path.Combine(books, "pipe.txt"));
        File.CreateSymbolicLink(Path.Combine(books, "loop"), "..");
        File.CreateSymbolicLink(Path.Combine(books, "alias.txt"), "a.txt");
        File.CreateSymbolicLink(Path.Combine(books, "broken.txt"), "/nonexistent/file.txt");

        var result = await CliHarness.RunAsync(["words", books, "--json", "--mode", mode]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var rows = Rows(result);
        var summary = rows[^1];
        Assert.Equal(1, summary.GetProperty("files").GetInt32());
        Assert.Equal(4, summary.GetProperty("words").GetInt64());
        string? Error(string name) => rows.Single(r => r.TryGetProperty("source", out var s) && s.GetString()!.EndsWith(name, StringComparison.Ordinal)).GetProperty("error").GetString();
        Assert.Contains("FIFO", Error("pipe.txt"));
        Assert.Contains("binary file", Error("image.txt"));
        Assert.Contains("broken symbolic link", Error("broken.txt"));
    }

    [Fact]
    public async Task Dev_zero_is_a_binary_item_not_an_endless_read()
    {
        var text = Path.Combine(_dir.FullName, "ok.txt");
        await File.WriteAllTextAsync(text, "one two two");

        var result = await CliHarness.RunAsync(["words", "/dev/zero", text, "-n", "2"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("ERROR /dev/zero: skipped: binary file", result.Out);
        Assert.Contains("two", result.Console);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_says_so()
    {
        var result = await CliHarness.RunAsync(["words", "/nonexistent", "ftp://example.com/a.txt"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ERROR /nonexistent: does not exist", result.Out);
        Assert.Contains("unsupported URL scheme 'ftp'", result.Out);
        Assert.DoesNotContain("*.txt", result.Out);
    }

    [Fact]
    public async Task An_unreadable_folder_behind_a_link_is_one_failed_item_and_the_rest_is_counted()
    {
        var root = _dir.CreateSubdirectory("root").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "alpha beta");
        var locked = _dir.CreateSubdirectory("locked").FullName;
        await File.WriteAllTextAsync(Path.Combine(locked, "z.txt"), "hidden words");
        File.CreateSymbolicLink(Path.Combine(root, "link"), locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);

        // Root reads any folder; run the real program without the capabilities that let it, as a user would be.
        var dll = Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll");
        var start = Environment.UserName == "root"
            ? new ProcessStartInfo("setpriv", ["--bounding-set=-dac_override,-dac_read_search", "dotnet", dll, "words", root, "--json"])
            : new ProcessStartInfo("dotnet", [dll, "words", root, "--json"]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "juggle words did not finish");

        var output = await stdout;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Contains(rows, r => r.TryGetProperty("error", out var e) && e.GetString() is { } s && s.Contains("cannot read folder", StringComparison.Ordinal));
        Assert.Equal(2, rows[^1].GetProperty("words").GetInt64());
    }

    [Fact]
    public void Counting_a_file_streams_it_instead_of_holding_it_in_memory()
    {
        // 48 MB of text: read whole (as text, ~2 bytes a character, plus copies) this allocates over 100 MB.
        var path = Path.Combine(_dir.FullName, "big.txt");
        var line = Encoding.UTF8.GetBytes("the quick brown fox jumps over the lazy dog's back\n");
        using (var file = File.Create(path))
        {
            for (var written = 0L; written < 48L << 20; written += line.Length)
            {
                file.Write(line);
            }
        }

        var expected = new FileInfo(path).Length / line.Length;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var counts = WordCounter.CountFile(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2 * expected, counts["the"]);
        Assert.Equal(expected, counts["dog's"]);
        Assert.True(allocated < 4L << 20, $"counting a 48 MB file allocated {allocated / (1 << 20)} MB: it is not streamed");
    }

    [Fact]
    public void Words_split_across_read_blocks_count_as_if_read_whole()
    {
        // Words, and an apostrophe waiting for its next letter, straddle the block boundary.
        var text = new string(' ', WordCounter.BlockChars - 3) + "whale's tale ab'" + new string(' ', 10) + "x" + "'";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        Assert.Equal(WordCounter.Count(text), WordCounter.Count(stream));
        Assert.Equal(1, WordCounter.Count(text)["whale's"]);
    }
}
