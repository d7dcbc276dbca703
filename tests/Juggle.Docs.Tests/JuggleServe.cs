using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Juggle.Docs.Tests;

/// <summary>
/// The real <c>juggle serve</c> on a free loopback port, for blocks that fetch from it: the docs say
/// <c>juggle serve --port 5000</c>; the harness runs it with <c>--port 0</c> and points the block at the port it got.
/// </summary>
internal sealed partial class JuggleServe : IAsyncDisposable
{
    /// <summary>The address the docs tell readers to start <c>juggle serve --port 5000</c> on.</summary>
    public const string DocsAddress = "127.0.0.1:5000";

    private readonly Process _process;

    private JuggleServe(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary><c>127.0.0.1:PORT</c> of this server.</summary>
    public string Address { get; }

    public static async Task<JuggleServe> StartAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo(SnippetRunner.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll"), "serve", "--port", "0", "--latency", "50" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            var seen = new StringBuilder();
            while (await process.StandardError.ReadLineAsync(cts.Token) is { } line)
            {
                seen.AppendLine(line);
                if (Banner().Match(line) is { Success: true } match)
                {
                    // Keep draining stderr so the server never blocks on a full pipe.
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new JuggleServe(process, match.Groups[1].Value);
                }
            }

            throw new InvalidOperationException($"juggle serve exited before printing its address:\n{seen}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    [GeneratedRegex(@"serving on http://(127\.0\.0\.1:\d+)/")]
    private static partial Regex Banner();
}
