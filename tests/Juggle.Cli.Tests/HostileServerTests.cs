using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Juggle.Cli.Reporting;

namespace Juggle.Cli.Tests;

/// <summary>What a hostile server can send: redirects to other schemes, escape sequences in titles, headers and names.</summary>
public sealed class HostileServerTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("juggle-hostile-test");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>No character a terminal acts on: C0/C1 controls (ESC, BEL, CSI), DEL, bidi overrides.</summary>
    private static void AssertNoRawControls(string text, bool tabs = false)
    {
        var bad = text.Where(c => c != '\n' && c != '\r' && !(tabs && c == '\t') && TerminalText.IsUnsafe(c)).Select(c => $"U+{(int)c:X4}").ToList();
        Assert.True(bad.Count == 0, $"raw control characters {string.Join(' ', bad)} in:\n{text}");
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("async")]
    [InlineData("sequential")]
    public async Task Redirects_to_other_schemes_are_that_items_error_and_never_leave_http(string mode)
    {
        // Something listening where ftp://127.0.0.1:PORT/ points: the redirect must not reach it, not even as HTTP.
        using var ftp = new TcpListener(IPAddress.Loopback, 0);
        ftp.Start();
        var ftpUrl = $"ftp://127.0.0.1:{((IPEndPoint)ftp.LocalEndpoint).Port}/file";
        string[] urls =
        [
            server.Url("evil/redirect?to=" + Uri.EscapeDataString("file:///etc/passwd")),
            server.Url("evil/redirect?to=" + Uri.EscapeDataString(ftpUrl)),
            server.Url("evil/redirect?to=" + Uri.EscapeDataString("/page/3")),
            server.Url("page/4"),
        ];

        var result = await CliHarness.RunAsync(["titles", .. urls, "--json", "--retries", "0", "--mode", mode]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var rows = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Contains("redirect to 'file:///etc/passwd' refused", rows[0].GetProperty("error").GetString());
        Assert.Contains($"redirect to '{ftpUrl}' refused", rows[1].GetProperty("error").GetString());
        Assert.Equal("Page 3 – Juggle demo", rows[2].GetProperty("title").GetString());
        Assert.Equal("Page 4 – Juggle demo", rows[3].GetProperty("title").GetString());
        Assert.False(ftp.Pending(), "the ftp:// redirect was followed over HTTP");
        Assert.Contains("2 ok, 2 failed", result.Error);
    }

    [Fact]
    public async Task Download_and_words_report_a_refused_redirect_as_one_failed_item()
    {
        var evil = server.Url("evil/redirect?to=" + Uri.EscapeDataString("file:///etc/passwd"));

        var download = await CliHarness.RunAsync(["download", "-o", _dir.FullName, evil, server.Url("books/1.txt"), "--retries", "0"]);
        var words = await CliHarness.RunAsync(["words", evil, server.Url("books/2.txt"), "--retries", "0", "--json"]);

        Assert.True(download.ExitCode == 1, download.ToString());
        Assert.Contains("refused", download.Out);
        Assert.Contains("1 saved", download.Error);
        Assert.True(File.Exists(Path.Combine(_dir.FullName, "1.txt")));
        Assert.True(words.ExitCode == 1, words.ToString());
        Assert.Contains("refused", words.Out);
        Assert.Equal(1, JsonDocument.Parse(words.OutLines[^1]).RootElement.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task Escape_sequences_in_titles_are_shown_escaped_in_plain_output_and_keep_one_line_with_two_columns()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("evil/title"), server.Url("page/1")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNoRawControls(result.Out, tabs: true);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Single(l.TrimEnd('\r').Split('\t').Skip(1)));
        Assert.Contains("\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\u202eevil", lines[0]);
    }

    [Fact]
    public async Task Escape_sequences_in_titles_are_escaped_on_the_rich_console_and_markup_is_text()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("evil/title")], interactive: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNoRawControls(result.Console);
        Assert.Contains("[bold]markup[/]", result.Console);
        Assert.Contains("\\x1b]0;PWNED", result.Console);
    }

    [Fact]
    public async Task Json_output_escapes_controls_and_bidi_overrides_and_keeps_the_real_title()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("evil/title"), "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNoRawControls(result.Out);
        Assert.Contains("\\u202e", result.Out, StringComparison.OrdinalIgnoreCase);
        var title = JsonDocument.Parse(result.OutLines[0]).RootElement.GetProperty("title").GetString();
        Assert.Equal(ServerFixture.EvilTitle.Replace('\t', ' '), title);
    }

    [Fact]
    public async Task Hostile_reason_phrases_and_file_names_never_reach_the_terminal_or_the_disk_raw()
    {
        using var raw = new RawHttpServer(path => path switch
        {
            "/reason" => RawHttpServer.Response(404, "Not \u001b]0;PWNED\u0007Found", "", "gone"u8.ToArray()),
            _ => RawHttpServer.Response(200, "OK", "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a\u001b[2Jb\u202etxt.exe\"\r\n", "data"u8.ToArray()),
        });

        var plain = await CliHarness.RunAsync(["download", "-o", _dir.FullName, raw.Url("/reason"), raw.Url("/name"), "--retries", "0"]);
        var interactive = await CliHarness.RunAsync(["download", "-o", _dir.FullName, "--force", raw.Url("/reason"), raw.Url("/name"), "--retries", "0"], interactive: true);

        Assert.True(plain.ExitCode == 1, plain.ToString());
        AssertNoRawControls(plain.Out + plain.Error);
        AssertNoRawControls(interactive.Console + interactive.Out + interactive.Error);
        Assert.Contains("\\x1b]0;PWNED\\x07", plain.Out);
        var saved = Assert.Single(Directory.GetFiles(_dir.FullName));
        AssertNoRawControls(Path.GetFileName(saved));
    }

    [Fact]
    public async Task An_input_file_without_line_breaks_stops_with_one_error_instead_of_filling_memory()
    {
        var result = await CliHarness.RunAsync(["titles", "-i", "/dev/zero", server.Url("page/2"), "--json"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var rows = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("Page 2 – Juggle demo", rows[0].GetProperty("title").GetString());
        Assert.Contains("does not look like a list of URLs", rows[1].GetProperty("error").GetString());
        AssertNoRawControls(result.Out);
    }

    [Fact]
    public void Terminal_text_escapes_what_a_terminal_acts_on_and_nothing_else()
    {
        Assert.Equal("Café – “ok” 日本", TerminalText.Clean("Café – “ok” 日本"));
        Assert.Equal("a\\x1b[2Jb\\x07\\x9b\\x7f\\t\\n\\u202ec\\u2066", TerminalText.Clean("a\u001b[2Jb\u0007\u009b\u007f\t\n\u202ec\u2066"));
        Assert.Equal("", TerminalText.Clean(null));
        Assert.Equal("{\"t\":\"\\u202e\"}", TerminalText.EscapeJson("{\"t\":\"\u202e\"}"));
    }

    [Fact]
    public void Redirect_targets_resolve_relative_locations_and_refuse_other_schemes()
    {
        var from = new Uri("http://127.0.0.1/a/b");

        Assert.Equal("http://127.0.0.1/etc/passwd", Http.Redirects.Next(from, "/etc/passwd").ToString());
        Assert.Equal("https://other/x", Http.Redirects.Next(from, "https://other/x").ToString());
        Assert.Equal("http://127.0.0.1/a/c", Http.Redirects.Next(from, "c").ToString());
        foreach (var location in new[] { "file:///etc/passwd", "ftp://127.0.0.1:21/", "javascript:alert(1)", "gopher://x/", "" })
        {
            var ex = Assert.Throws<Http.RedirectException>(() => Http.Redirects.Next(from, location));
            Assert.Equal(location, ex.Location);
        }

        Assert.Contains("https to plain http", Assert.Throws<Http.RedirectException>(() => Http.Redirects.Next(new Uri("https://127.0.0.1/"), "http://127.0.0.1/")).Message);
        Assert.Equal("https://127.0.0.1/x", Http.Redirects.Next(new Uri("https://127.0.0.1/"), "/x").ToString());
    }
}
