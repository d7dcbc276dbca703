using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Juggle.Cli.Workloads;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// The <c>juggle</c> tool's cluster commands as real processes against the private broker: <c>juggle worker</c>
/// (serving juggle's own functions, logs, signals, bad brokers), <c>words</c>/<c>bench --mode cluster</c>, and
/// <c>juggle cluster up</c> with its own RabbitMQ node.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class JuggleCommandTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(120);

    [Fact]
    public void Worker_runs_juggle_functions_logs_no_credentials_and_on_SIGTERM_finishes_the_task_in_hand_and_exits_0()
    {
        var folder = TempFolder();
        var fifo = Path.Combine(folder, "book.fifo");
        MakeFifo(fifo);
        var plain = Path.Combine(folder, "plain.txt");
        File.WriteAllText(plain, "one two two");

        var worker = Own(Worker(Broker.Uri, "--queue", Queue, "--concurrency", "1", "--verbose", "--node", "cli-node"));
        Assert.True(worker.WaitForLine("connected to", Start), worker.Transcript);
        var executor = CreateExecutor();
        var inHand = executor.Submit(FileCount.Of, new WordsFile("fifo", fifo));
        var waiting = executor.Submit(FileCount.Of, new WordsFile("plain", plain));
        Assert.True(worker.WaitForLine("runs task", Patience), worker.Transcript);

        worker.Signal("TERM");
        Assert.True(worker.WaitForLine("stopping", Patience), worker.Transcript);

        // The task in hand reads the FIFO: it finishes only now, after the stop was asked for.
        Assert.True(Task.Run(() => File.WriteAllText(fifo, "alpha beta alpha")).Wait(Patience), "the worker never opened the FIFO");
        var counted = inHand.Result(Patience);
        Assert.Null(counted.Error);
        Assert.Equal(new Dictionary<string, int> { ["alpha"] = 2, ["beta"] = 1 }, counted.Counts);
        Assert.Equal(0, worker.WaitForExit(Patience));
        Assert.False(waiting.Done, "the waiting task ran on a node that was stopping");

        // Handed back: the next node runs it.
        var next = Own(Worker(Broker.Uri, "--queue", Queue, "--concurrency", "1"));
        Assert.Equal(new Dictionary<string, int> { ["one"] = 1, ["two"] = 2 }, waiting.Result(Start).Counts);

        var log = worker.Out + "\n" + worker.Error;
        Assert.Contains("juggle:***@", log);
        Assert.DoesNotContain(Broker.Password, log);
        Assert.Contains("Juggle.Cli", log); // serves juggle's own functions without --assembly
        Assert.Contains("stopped after 1 task(s)", log);
        Assert.False(next.HasExited, next.Transcript);
    }

    [Fact]
    public void Worker_stopped_by_SIGTERM_while_it_connects_exits_0_at_once()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var worker = Worker(new Uri($"amqp://juggle:hunter2secret@127.0.0.1:{port}/"), "--queue", Queue);

        // The worker is inside its connection handshake once the broker (which never answers) has accepted it.
        var accept = silent.AcceptTcpClientAsync();
        Assert.True(accept.Wait(Start), worker.Transcript);
        using var held = accept.Result;
        var watch = Stopwatch.StartNew();
        worker.Signal("TERM");
        Assert.Equal(0, worker.WaitForExit(Patience));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"stopping took {watch.Elapsed}, as long as the connect timeout:\n{worker.Transcript}");
        Assert.Contains("before it was connected", worker.Error);
        Assert.DoesNotContain("hunter2secret", worker.Out + worker.Error);
    }

    [Fact]
    public void Worker_with_wrong_credentials_or_no_broker_says_so_and_exits_non_zero()
    {
        using var wrong = Worker(new Uri($"amqp://juggle:not-the-password@127.0.0.1:{Broker.AmqpPort}/"), "--queue", Queue);
        Assert.Equal(1, wrong.WaitForExit(Start));
        Assert.Contains("refused the credentials", wrong.Error);
        Assert.DoesNotContain("not-the-password", wrong.Out + wrong.Error);

        using var nobody = Worker(new Uri($"amqp://juggle:secret-word@127.0.0.1:{ClosedPort()}/"), "--queue", Queue);
        Assert.Equal(1, nobody.WaitForExit(Start));
        Assert.Contains("Could not connect to the broker at amqp://juggle:***@127.0.0.1", nobody.Error);
        Assert.DoesNotContain("secret-word", nobody.Out + nobody.Error);
    }

    [Fact]
    public void Words_in_cluster_mode_counts_exactly_what_processes_mode_counts()
    {
        var folder = TempFolder();
        var random = new Random(4);
        string[] vocabulary = ["the", "whale", "ship", "sea", "captain", "Ahab", "white", "élan", "don't", "naïve", "x"];
        for (var book = 0; book < 6; book++)
        {
            var words = Enumerable.Range(0, 3000 + (book * 500)).Select(_ => vocabulary[random.Next(vocabulary.Length)]);
            File.WriteAllText(Path.Combine(folder, $"book{book}.txt"), string.Join(' ', words) + "\n");
        }

        File.WriteAllBytes(Path.Combine(folder, "binary.txt"), [0, 1, 2, 0, 255, 0, 3]);

        // words uses the default queue: these two nodes are its workers.
        var nodes = Enumerable.Range(1, 2).Select(i => Own(Worker(Broker.Uri, "--verbose", "--node", $"words-{i}"))).ToList();
        Assert.All(nodes, n => Assert.True(n.WaitForLine("connected to", Start), n.Transcript));

        var processes = Run(null, "words", folder, "--json", "--mode", "processes", "--workers", "2");
        var cluster = Run(null, "words", folder, "--json", "--mode", "cluster", "--broker", Broker.Uri.ToString(), "--workers", "4");

        Assert.Equal(processes.Code, cluster.Code);
        Assert.Equal(Comparable(processes.Out), Comparable(cluster.Out));
        Assert.Contains("\"error\":\"skipped", processes.Out); // the binary file fails the same way on both
        Assert.Equal(7, cluster.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Contains("FileCount.Of", string.Join('\n', nodes.Select(n => n.Error))); // run on the nodes, not here
        Assert.DoesNotContain(Broker.Password, cluster.Out + cluster.Error);
        Assert.DoesNotContain("no worker has taken", cluster.Error); // the nodes were there
    }

    [Fact]
    public void Cluster_mode_without_a_worker_says_so_once_keeps_waiting_and_finishes_when_a_worker_comes()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "a.txt"), "the cat and the hat");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "the whale");

        // words uses the default queue, which no node of this collection serves between tests.
        using var words = JuggleProcess.Start(null, "words", folder, "--json", "--mode", "cluster", "--broker", Broker.Uri.ToString(), "--workers", "2");
        Assert.True(words.WaitForLine("no worker has taken a task", Start), words.Transcript);
        Assert.False(words.HasExited, words.Transcript); // told, and still waiting
        Assert.Contains("queue 'juggle.tasks'", words.Error);
        Assert.Contains($"broker amqp://juggle:***@127.0.0.1:{Broker.AmqpPort}/", words.Error);
        Assert.Contains("juggle worker --broker", words.Error);
        Assert.DoesNotContain(Broker.Password, words.Out + words.Error);

        var node = Own(Worker(Broker.Uri, "--node", "late-1"));
        Assert.Equal(0, words.WaitForExit(Start));
        var summary = JsonNode.Parse(words.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        Assert.Equal(2, (int)summary["files"]!);
        Assert.Equal(7, (long)summary["words"]!);
        Assert.Single(words.Error.Split('\n'), l => l.Contains("no worker has taken", StringComparison.Ordinal));
        Assert.False(node.HasExited, node.Transcript);
    }

    [Fact]
    public void Bench_in_cluster_mode_gets_the_sequential_results_on_the_nodes()
    {
        var node = Own(Worker(Broker.Uri, "--node", "bench-1"));
        Assert.True(node.WaitForLine("connected to", Start), node.Transcript);
        var bench = Run(null, "bench", "primes", "--items", "400", "--mode", "cluster", "--broker", Broker.Uri.ToString());
        Assert.True(bench.Code == 0, bench.ToString());
        Assert.Contains("cluster", bench.Out);
        Assert.Contains("same results ✓", bench.Out);
        Assert.DoesNotContain("DIFFERENT", bench.Out);
        Assert.DoesNotContain("no worker has taken", bench.Error);
    }

    [Fact]
    public void Cluster_mode_with_an_unreachable_broker_fails_clearly_without_hanging()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "a.txt"), "a b c");
        var watch = Stopwatch.StartNew();
        var words = Run(null, "words", folder, "--mode", "cluster", "--broker", $"amqp://juggle:pa55word@127.0.0.1:{ClosedPort()}/");
        Assert.Equal(1, words.Code);
        Assert.Contains("Could not connect to the broker at amqp://juggle:***@127.0.0.1", words.Error);
        Assert.DoesNotContain("pa55word", words.Out + words.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Cluster_up_starts_a_broker_and_two_workers_serves_a_client_and_SIGINT_leaves_nothing_behind()
    {
        using var up = JuggleProcess.Start(null, "cluster", "up", "--workers", "2");
        Assert.True(up.WaitForLine("amqp://", TimeSpan.FromMinutes(4), stdout: true), up.Transcript);
        Assert.True(up.WaitForLine("worker-1 connected", Start), up.Transcript);
        Assert.True(up.WaitForLine("worker-2 connected", Start), up.Transcript);
        var uri = new Uri(up.Out.Split('\n')[0].Trim());
        Assert.Equal("127.0.0.1", uri.Host);

        using (var executor = new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = uri }))
        {
            var items = Enumerable.Range(1_000_000, 300).Select(i => (long)i).ToList();
            var futures = items.Select(i => executor.Submit(CpuWork.IsPrime, i)).ToList();
            Assert.Equal(items.Select(CpuWork.IsPrime), futures.Select(f => f.Result(Patience)));
            Assert.All(futures, f => Assert.Matches("-worker-[12]$", f.WorkerName));
        }

        var marker = $"RABBITMQ_NODENAME=juggle-cluster-{up.ProcessId}@localhost";
        var own = ProcessesWithEnvironment(marker).Concat(ChildrenOf(up.ProcessId)).Distinct().ToList();
        Assert.True(own.Count >= 4, $"expected the node, its epmd and two workers among {string.Join(", ", own)}");

        up.Signal("INT");
        Assert.Equal(0, up.WaitForExit(TimeSpan.FromMinutes(3)));
        var left = own.Where(IsAlive).Select(Describe).ToList();
        Assert.True(left.Count == 0, $"left running: {string.Join("; ", left)}\n{up.Transcript}");
        Assert.Empty(ProcessesWithEnvironment(marker).Select(Describe));
    }

    [Fact]
    public void Cluster_up_without_rabbitmq_says_how_to_install_it()
    {
        var empty = TempFolder();
        using var up = JuggleProcess.Start(new Dictionary<string, string?> { ["JUGGLE_RABBITMQ_BIN"] = empty }, "cluster", "up", "--workers", "2");
        Assert.Equal(1, up.WaitForExit(Start));
        Assert.Contains("sudo apt-get install rabbitmq-server", up.Error);
        Assert.Contains(Path.Combine(empty, "rabbitmq-server"), up.Error);
        Assert.Contains("JUGGLE_RABBITMQ_BIN", up.Error);
    }

    [Fact]
    public void The_cluster_sample_counts_its_books_on_real_workers_as_its_README_says()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "Cluster.dll");
        var node = Own(Worker(Broker.Uri, "--assembly", sample, "--node", "sample-1"));
        Assert.True(node.WaitForLine("connected to", Start), node.Transcript);
        var environment = new Dictionary<string, string?> { ["JUGGLE_BROKER"] = Broker.Uri.ToString() };

        using (var builtIn = JuggleProcess.StartDll(sample, environment))
        {
            Assert.Equal(0, builtIn.WaitForExit(Start));
            Assert.Equal(3, builtIn.Out.Split('\n').Count(l => l.EndsWith("counted on node sample-1", StringComparison.Ordinal)));
            var readme = File.ReadAllText(Path.Combine(Juggle.Tests.Shared.RepositoryRoot.Find("to read the sample's README"), "samples", "Cluster", "README.md"));
            var totals = builtIn.Out.Split('\n').Last(l => l.Length > 0);
            Assert.StartsWith("3 books, 161 words, 110 distinct; top: the 7, i 6, and 5, my 5, in 4", totals);
            Assert.Contains(totals, readme);
        }

        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "a.txt"), "Call me Ishmael. Some years ago, never mind how long precisely");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "It was the best of times, it was the worst of times");
        using var files = JuggleProcess.StartDll(sample, environment, Path.Combine(folder, "a.txt"), Path.Combine(folder, "b.txt"));
        Assert.Equal(0, files.WaitForExit(Start));
        var expected = global::Cluster.Tokenizer.CountWords(File.ReadAllText(Path.Combine(folder, "a.txt"))).Values.Sum()
            + global::Cluster.Tokenizer.CountWords(File.ReadAllText(Path.Combine(folder, "b.txt"))).Values.Sum();
        Assert.Contains($"2 books, {expected} words", files.Out);

        using var noBroker = JuggleProcess.StartDll(sample, null);
        Assert.Equal(2, noBroker.WaitForExit(Start));
        Assert.Contains("Set JUGGLE_BROKER", noBroker.Error);
    }

    private static JuggleProcess Worker(Uri broker, params string[] args) =>
        JuggleProcess.Start(new Dictionary<string, string?> { ["JUGGLE_BROKER"] = broker.ToString() }, ["worker", .. args]);

    private static (int Code, string Out, string Error) Run(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var juggle = JuggleProcess.Start(environment, args);
        var code = juggle.WaitForExit(TimeSpan.FromMinutes(4)) ?? throw new TimeoutException($"juggle {string.Join(' ', args)} did not exit:\n{juggle.Transcript}");
        return (code, juggle.Out, juggle.Error);
    }

    /// <summary>The JSON lines without their timings, which differ between runs.</summary>
    private static List<string> Comparable(string jsonLines) => jsonLines
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line =>
        {
            var node = JsonNode.Parse(line)!.AsObject();
            node.Remove("ms");
            return node.ToJsonString();
        })
        .ToList();

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo") { ArgumentList = { path }, UseShellExecute = false })!;
        Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(30)) && mkfifo.ExitCode == 0, "mkfifo failed");
    }

    private static IEnumerable<int> ProcessesWithEnvironment(string entry)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string environ;
            try
            {
                environ = File.ReadAllText(Path.Combine(dir, "environ"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (environ.Split('\0').Contains(entry) && IsAlive(pid))
            {
                yield return pid;
            }
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) == parent)
            {
                yield return pid;
            }
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Running (a zombie awaiting its parent's wait is gone for this purpose).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{pid} (gone)";
        }
    }
}
