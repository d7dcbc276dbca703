using System.Text.Json;
using Juggle.Cli.Downloads;

namespace Juggle.Cli.Tests;

public sealed class DownloadCommandTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("juggle-download-test");

    public void Dispose() => _dir.Delete(recursive: true);

    private string[] Files() => Directory.GetFiles(_dir.FullName, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.FullName, f)).Order().ToArray();

    [Fact]
    public async Task Saves_files_named_safely_and_reports_failures()
    {
        var result = await CliHarness.RunAsync([
            "download", "-o", _dir.FullName, "--json", "--retries", "0",
            server.Url("t/file/data.bin?kb=300"),
            server.Url("t/disposition?name=../../etc/passwd"),
            server.Url("t/disposition?name=report%20v2.pdf"),
            server.Url("t/file/..%2F..%2Fescape.txt"),
            server.Url("t/status/404"),
            server.Url("books/2.txt"),
        ]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["2.txt", "data.bin", "escape.txt", "passwd", "report v2.pdf"], Files());
        Assert.Equal(300 * 1024, new FileInfo(Path.Combine(_dir.FullName, "data.bin")).Length);
        var rows = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(6, rows.Count);
        Assert.Contains(rows, r => r.GetProperty("error").GetString() == "HTTP 404 Not Found");
        Assert.Contains("5 saved", result.Error);
    }

    [Fact]
    public async Task Existing_files_are_skipped_unless_forced()
    {
        var target = Path.Combine(_dir.FullName, "keep.bin");
        await File.WriteAllTextAsync(target, "old");

        var skipped = await CliHarness.RunAsync(["download", "-o", _dir.FullName, server.Url("t/file/keep.bin?kb=4")]);
        Assert.Equal(0, skipped.ExitCode);
        Assert.Contains("skipped", skipped.Out);
        Assert.Equal("old", await File.ReadAllTextAsync(target));

        var forced = await CliHarness.RunAsync(["download", "-o", _dir.FullName, "--force", server.Url("t/file/keep.bin?kb=4")]);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(4096, new FileInfo(target).Length);
    }

    [Fact]
    public async Task Same_name_twice_in_one_run_gets_a_numbered_second_file()
    {
        var result = await CliHarness.RunAsync(["download", "-o", _dir.FullName, server.Url("t/file/twin.bin?kb=1"), server.Url("t/file/twin.bin?kb=2")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["twin (2).bin", "twin.bin"], Files());
    }

    [Fact]
    public async Task A_connection_cut_mid_body_leaves_no_file()
    {
        var result = await CliHarness.RunAsync(["download", "-o", _dir.FullName, "--retries", "0", server.Url("t/file/cut.bin?kb=512&cut=1")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(Files());
    }

    [Fact]
    public async Task Ctrl_c_mid_download_exits_130_and_leaves_no_partial_file()
    {
        server.ResetHang();
        using var cts = new CancellationTokenSource();
        var run = CliHarness.RunAsync(["download", "-o", _dir.FullName, "--timeout", "60", server.Url("hang-body/big.bin")], cancellationToken: cts.Token);
        await server.HangHit.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("interrupted", result.Error);
        Assert.Empty(Files());
    }

    [Fact]
    public async Task A_long_non_ascii_name_is_shortened_to_255_bytes_and_saved()
    {
        var name = new string('é', 200) + ".bin";
        var result = await CliHarness.RunAsync(["download", "-o", _dir.FullName, "--json", server.Url("t/file/" + Uri.EscapeDataString(name) + "?kb=2"), server.Url("t/file/" + Uri.EscapeDataString(name) + "?kb=3")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var files = Files();
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(f), 200, 255));
        Assert.All(files, f => Assert.EndsWith(".bin", f));
        Assert.Contains(files, f => f.EndsWith(" (2).bin", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_are_cut_by_utf8_bytes_at_character_boundaries_keeping_the_extension()
    {
        var fitted = SafeFileName.Sanitize(new string('€', 100) + ".tar.gz")!;

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(fitted) <= 255);
        Assert.EndsWith("€.gz", fitted);
        Assert.Equal(new string('a', 250) + ".txt", SafeFileName.Fit(new string('a', 300) + ".txt", 254));
        Assert.Equal("a_b.txt", SafeFileName.Sanitize("a\u202eb.txt"));
    }

    [Fact]
    public void File_names_cannot_escape_the_folder()
    {
        Assert.Null(SafeFileName.Sanitize(".."));
        Assert.Null(SafeFileName.Sanitize("/"));
        Assert.Equal("passwd", SafeFileName.Sanitize("../../etc/passwd"));
        Assert.Equal("c.txt", SafeFileName.Sanitize("a/b\\c.txt"));
        Assert.Equal("_CON.txt", SafeFileName.Sanitize("CON.txt"));
        Assert.Equal("a_b.txt", SafeFileName.Sanitize("a\u0001b.txt"));
        Assert.Equal("hidden", SafeFileName.Sanitize(".hidden"));
        Assert.Equal("example.com.html", SafeFileName.Choose(new Uri("http://example.com/"), null));
        Assert.Throws<InvalidOperationException>(() => SafeFileName.Inside("/tmp/out", "../x"));
    }
}
