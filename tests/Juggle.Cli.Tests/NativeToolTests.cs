using System.Diagnostics;
using System.Text.Json;
using Juggle.Tests.Shared;

namespace Juggle.Cli.Tests;

/// <summary>
/// Publishes `juggle` with NativeAOT once (dotnet publish -r linux-x64 -p:PublishAot=true), the command the README
/// gives, and keeps the publish log: the tests of <see cref="NativeToolTests"/> all run that one binary.
/// </summary>
public sealed class NativeToolFixture : BuiltTool
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20); // a NativeAOT compile on 2 shared cores

    public NativeToolFixture()
        : base("juggle-native-test")
    {
        // A publish made by hand (the same command, its output in a folder, its log saved as publish.log beside the
        // folder) can be reused while iterating on the tests: JUGGLE_NATIVE_PUBLISH_DIR=that folder.
        if (Environment.GetEnvironmentVariable("JUGGLE_NATIVE_PUBLISH_DIR") is { Length: > 0 } published)
        {
            Juggle = Path.Combine(published, "juggle");
            var log = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(published).TrimEnd('/'))!, "publish.log");
            Assert.True(File.Exists(Juggle) && File.Exists(log), $"JUGGLE_NATIVE_PUBLISH_DIR: expected {Juggle} and {log}");
            PublishLog = File.ReadAllText(log);
            return;
        }

        var repo = RepositoryRoot.Find("to publish the native tool");
        var output = Path.Combine(Root, "out");
        PublishLog = Dotnet(PublishTimeout, "publish", Path.Combine(repo, "src", "Juggle.Cli"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "--artifacts-path", Path.Combine(Root, "artifacts"), "-nologo");
        Juggle = Path.Combine(output, "juggle");
        Assert.True(File.Exists(Juggle), $"{Juggle} is missing after the publish:\n{PublishLog}");
    }

    /// <summary>The native binary, OUT/juggle.</summary>
    public override string Juggle { get; }

    /// <summary>Everything the publish printed (its warnings are checked).</summary>
    public string PublishLog { get; }
}

/// <summary>
/// Every `juggle` command from the NativeAOT binary, against its own loopback server and temporary directories,
/// `--mode processes` included (the workers are the binary itself).
/// </summary>
public sealed class NativeToolTests(NativeToolFixture native) : IClassFixture<NativeToolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public void The_publish_gives_a_native_executable_and_leaves_no_unexplained_trim_or_aot_warning()
    {
        var header = new byte[4];
        using (var stream = File.OpenRead(native.Juggle))
        {
            stream.ReadExactly(header);
        }

        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(native.Juggle)!, "Juggle.Cli.dll")), "a native publish has no managed entry assembly");
        // None at all: the cluster executor and worker are annotated, plugin loading is compiled out, and the CLI
        // suppresses the annotations only where it keeps the functions and their JSON contracts.
        var warnings = native.PublishLog.Split('\n')
            .Where(l => l.Contains("warning IL", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.True(warnings.Count == 0, "trim/AOT warnings:\n" + string.Join('\n', warnings));
    }

    [Fact]
    public async Task Help_lists_every_command() => BuiltTool.AssertHelpListsEveryCommand(await RunAsync(["--help"]));

    [Fact]
    public async Task Serve_answers_titles_and_download_from_the_native_binary()
    {
        var dir = native.NewDirectory();
        using var serve = Start(["serve", "--port", "0", "--latency", "0", "--write-urls", "20"]);
        try
        {
            var urls = new List<string>();
            using (var patience = new CancellationTokenSource(Patience))
            {
                while (urls.Count < 20 && await serve.StandardOutput.ReadLineAsync(patience.Token) is { } line)
                {
                    urls.Add(line.Trim());
                }
            }

            Assert.Equal(20, urls.Count);
            var urlFile = Path.Combine(dir, "urls.txt");
            await File.WriteAllLinesAsync(urlFile, urls);
            var (code, output, errors) = await RunAsync(["titles", "-i", urlFile, "--workers", "8", "--json"]);
            Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
            var titles = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.TryGetProperty("url", out _))
                .ToDictionary(e => e.GetProperty("url").GetString()!, e => e.GetProperty("title").GetString());
            foreach (var url in urls)
            {
                Assert.StartsWith($"Page {url[(url.LastIndexOf('/') + 1)..]} ", titles[url], StringComparison.Ordinal);
            }

            var server = urls[0][..(urls[0].IndexOf("/page/", StringComparison.Ordinal) + 1)];
            var downloads = Path.Combine(dir, "downloads");
            var files = Path.Combine(dir, "files.txt");
            await File.WriteAllLinesAsync(files, [$"{server}t/file/a.bin?kb=256&delay=0", $"{server}t/file/b.bin?kb=64&delay=0"]);
            (code, output, errors) = await RunAsync(["download", "-i", files, "-o", downloads, "--workers", "2"]);
            Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
            Assert.Equal(256 * 1024, new FileInfo(Path.Combine(downloads, "a.bin")).Length);
            Assert.Equal(64 * 1024, new FileInfo(Path.Combine(downloads, "b.bin")).Length);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task Words_counts_in_worker_processes_that_are_the_native_binary_itself() =>
        BuiltTool.AssertTwoSmallBooksCounted(await RunAsync(["words", native.WriteTwoSmallBooks(), "--json", "--mode", "processes", "-n", "2"]));

    [Theory]
    [InlineData("primes", "200")]
    [InlineData("cpu", "4")]
    [InlineData("hash", "4")]
    public async Task Bench_runs_its_cpu_workloads_in_worker_processes(string workload, string items)
    {
        var (code, output, errors) = await RunAsync(["bench", workload, "--mode", "processes", "-n", items, "--workers", "2"]);

        Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
        Assert.Contains("processes", output, StringComparison.Ordinal);
        Assert.DoesNotContain("unavailable", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_io_compares_every_mode_against_its_embedded_server()
    {
        var (code, output, errors) = await RunAsync(["bench", "io", "-n", "8", "--latency", "10"]);

        Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
        foreach (var mode in new[] { "sequential", "threads", "async" })
        {
            Assert.Contains(mode, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_small_demo_runs_every_experiment_including_the_process_pool()
    {
        var dir = native.NewDirectory();
        var (code, output, errors) = await RunAsync(["demo", "--latency", "20", "--pages", "5", "--books", "2", "--iterations", "2000"], dir);

        Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
        Assert.Contains("same titles ✓", output, StringComparison.Ordinal);
        Assert.Contains("same counts ✓", output, StringComparison.Ordinal);
        Assert.Contains("processes (", output, StringComparison.Ordinal);
        Assert.DoesNotContain("unavailable", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("worker", "--assembly", "x.dll")]
    [InlineData("cluster", "up", "--workers", "1", "--assembly", "x.dll")]
    public async Task Plugin_assemblies_are_refused_saying_they_need_the_portable_tool(params string[] args)
    {
        var (code, output, errors) = await RunAsync(args);

        Assert.True(code == 2, $"exit {code}\n{output}\n{errors}");
        Assert.Contains("native build of juggle cannot", errors, StringComparison.Ordinal);
        Assert.Contains("portable tool", errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// The whole cluster from the native binary: `cluster up` (its private RabbitMQ node), `words --mode cluster` that
    /// says no worker is there and waits, a native `juggle worker` on threads that serves it, then one with
    /// `--processes` (its worker processes the binary itself) serving words and bench with nothing to say; then clients
    /// stopped by SIGTERM and SIGINT while a frozen node holds one of their tasks.
    /// </summary>
    [Fact]
    public async Task Cluster_up_and_native_workers_count_what_processes_mode_counts()
    {
        var dir = native.NewDirectory();
        var random = new Random(7);
        string[] vocabulary = ["the", "whale", "ship", "sea", "captain", "Ahab", "white", "élan", "don't", "naïve", "x"];
        for (var book = 0; book < 5; book++)
        {
            File.WriteAllText(Path.Combine(dir, $"book{book}.txt"), string.Join(' ', Enumerable.Range(0, 2000 + (book * 300)).Select(_ => vocabulary[random.Next(vocabulary.Length)])) + "\n");
        }

        File.WriteAllBytes(Path.Combine(dir, "binary.txt"), [0, 1, 2, 0, 255, 0, 3]);
        var processes = await RunAsync(["words", dir, "--json", "--mode", "processes", "--workers", "2"]);
        // Exit 1: the binary file is skipped as a failure, the same way in every mode.
        Assert.True(processes.Code == 1 && processes.Output.Contains("\"error\":\"skipped", StringComparison.Ordinal), $"exit {processes.Code}\n{processes.Output}\n{processes.Errors}");

        using var up = LineProcess.Start(native.Juggle, ["cluster", "up", "--workers", "0"]);
        try
        {
            var uri = (await up.WaitForLineAsync("amqp://", BrokerStart, stdout: true)).Trim();
            var broker = new Dictionary<string, string> { ["JUGGLE_BROKER"] = uri };

            using (var waiting = LineProcess.Start(native.Juggle, ["words", dir, "--json", "--mode", "cluster", "--broker", uri, "--workers", "2"]))
            {
                var notice = await waiting.WaitForLineAsync("no worker has taken a task", Patience);
                Assert.False(waiting.HasExited, waiting.Transcript);
                Assert.Contains("queue 'juggle.tasks'", notice, StringComparison.Ordinal);
                Assert.Contains("juggle:***@127.0.0.1", notice, StringComparison.Ordinal);
                Assert.DoesNotContain(new Uri(uri).UserInfo, notice, StringComparison.Ordinal);

                using var threads = LineProcess.Start(native.Juggle, ["worker", "--node", "native-threads", "--verbose"], broker);
                Assert.Equal(processes.Code, await waiting.WaitForExitAsync(Patience));
                Assert.True(Comparable(processes.Output).SequenceEqual(Comparable(waiting.Out)), $"--mode processes:\n{processes.Output}\n--mode cluster:\n{waiting.Out}");
                Assert.Contains("on threads", await threads.WaitForLineAsync("connected to", Patience), StringComparison.Ordinal);
                Assert.Contains("FileCount.Of", threads.Err, StringComparison.Ordinal); // counted on the node, not in words
                threads.Signal("TERM");
                Assert.Equal(0, await threads.WaitForExitAsync(Patience));
            }

            using var pool = LineProcess.Start(native.Juggle, ["worker", "--node", "native-processes", "--processes", "2"], broker);
            Assert.Contains("on processes", await pool.WaitForLineAsync("connected to", Patience), StringComparison.Ordinal);
            var cluster = await RunAsync(["words", dir, "--json", "--mode", "cluster", "--broker", uri, "--workers", "2"]);
            Assert.True(cluster.Code == processes.Code, $"exit {cluster.Code}\n{cluster.Output}\n{cluster.Errors}\n{pool.Transcript}");
            Assert.True(Comparable(processes.Output).SequenceEqual(Comparable(cluster.Output)), $"--mode processes:\n{processes.Output}\n--mode cluster:\n{cluster.Output}");
            Assert.DoesNotContain("no worker has taken", cluster.Errors, StringComparison.Ordinal);
            var bench = await RunAsync(["bench", "primes", "--items", "300", "--mode", "cluster", "--broker", uri]);
            Assert.True(bench.Code == 0, $"exit {bench.Code}\n{bench.Output}\n{bench.Errors}\n{pool.Transcript}");
            Assert.Contains("same results ✓", bench.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("no worker has taken", bench.Errors, StringComparison.Ordinal);

            // The node's tasks ran in its process pool, whose workers are this same native binary.
            var children = ChildrenOf(pool.Id).Select(ExecutableOf).ToList();
            Assert.True(children.Any(c => c == Path.GetFullPath(native.Juggle)), $"worker processes: {string.Join(", ", children)}\n{pool.Transcript}");
            pool.Signal("TERM");
            Assert.Equal(0, await pool.WaitForExitAsync(Patience));

            await A_stopped_client_exits_though_a_node_holds_its_task_for_ever(uri, "TERM", 143);
            await A_stopped_client_exits_though_a_node_holds_its_task_for_ever(uri, "INT", 130);
        }
        catch
        {
            // Stop the broker, but let the failure that got here be the one reported.
            up.Signal("INT");
            await up.WaitForExitAsync(TimeSpan.FromMinutes(3));
            throw;
        }

        up.Signal("INT");
        var stopped = await up.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(stopped == 0, $"cluster up: exit {stopped?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none within 3 minutes"}\n{up.Transcript}");
    }

    private static readonly TimeSpan BrokerStart = TimeSpan.FromMinutes(4);

    /// <summary>
    /// `words --mode cluster` stopped by a signal while the only worker node holds one of its tasks and will never
    /// answer (the node is frozen with SIGSTOP mid-task, as a hung or dying node would be): the client prints its
    /// summary and exits with 128 + the signal, instead of waiting for the task for ever.
    /// </summary>
    private async Task A_stopped_client_exits_though_a_node_holds_its_task_for_ever(string uri, string signal, int expected)
    {
        var dir = native.NewDirectory();
        var line = string.Join(' ', Enumerable.Repeat("the whale and the sea", 40_000));
        for (var book = 0; book < 4; book++)
        {
            // ~20 MB each: counting one takes the node a few hundred ms, long enough to be frozen in the middle of it.
            await File.WriteAllLinesAsync(Path.Combine(dir, $"big{book}.txt"), Enumerable.Repeat(line, 24));
        }

        using var node = LineProcess.Start(native.Juggle, ["worker", "--node", $"frozen-{signal}", "--verbose", "--concurrency", "1"], new Dictionary<string, string> { ["JUGGLE_BROKER"] = uri });
        try
        {
            await node.WaitForLineAsync("connected to", Patience);
            using var client = LineProcess.Start(native.Juggle, ["words", dir, "--json", "--mode", "cluster", "--broker", uri, "--workers", "2"]);
            await node.WaitForLineAsync("runs task", Patience);
            node.Signal("STOP");
            Assert.False(client.HasExited, client.Transcript);

            client.Signal(signal);

            var code = await client.WaitForExitAsync(Patience);
            Assert.True(code == expected, $"SIG{signal}: exit {(code is null ? "none (still running)" : code)}, expected {expected}\n{client.Transcript}\n--- node\n{node.Transcript}");
            Assert.Contains("interrupted", client.Err, StringComparison.Ordinal);
        }
        finally
        {
            node.Signal("KILL");
        }
    }

    /// <summary>The JSON lines without their timings, which differ between runs.</summary>
    private static List<string> Comparable(string jsonLines) => jsonLines
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            node.Remove("ms");
            return node.ToJsonString();
        })
        .ToList();

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryRead(Path.Combine(dir, "stat")) is { } stat
                && stat[(stat.LastIndexOf(')') + 2)..].Split(' ') is [_, var ppid, ..] && ppid == parent.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }

    private static string ExecutableOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private Process Start(string[] args) => native.Start(args);

    private Task<(int Code, string Output, string Errors)> RunAsync(string[] args, string? workDirectory = null) => native.RunAsync(args, Patience, workDirectory);
}
