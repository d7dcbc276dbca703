using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Juggle.Cli.Tests;

/// <summary><c>--dashboard [PORT]</c>: a live page for the run, its URL printed on stderr.</summary>
public sealed partial class DashboardOptionTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("juggle-dashboard-test");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Prints_the_url_of_a_page_served_during_the_run()
    {
        var file = Path.Combine(_dir.FullName, "a.txt");
        await File.WriteAllTextAsync(file, "the cat and the hat");

        var result = await CliHarness.RunAsync(["words", file, "--dashboard"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var match = UrlPattern().Match(result.Error);
        Assert.True(match.Success, result.ToString());
        Assert.NotEqual(0, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain("Dashboard", result.Out, StringComparison.Ordinal); // stdout stays the command's output
    }

    [Fact]
    public async Task A_port_out_of_range_is_a_usage_error_naming_the_option()
    {
        var result = await CliHarness.RunAsync(["words", _dir.FullName, "--dashboard", "70000"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dashboard 70000 is out of range: give a whole number from 0 to 65535", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_with_the_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var file = Path.Combine(_dir.FullName, "a.txt");
        await File.WriteAllTextAsync(file, "words");

        var result = await CliHarness.RunAsync(["words", file, "--dashboard", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"--dashboard {port}", result.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Dashboard: http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex UrlPattern();
}
