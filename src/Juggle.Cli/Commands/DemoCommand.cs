using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Juggle.Cli.Demo;
using Juggle.Cli.Html;
using Juggle.Cli.Http;
using Juggle.Cli.Reporting;
using Juggle.Cli.Workloads;
using Spectre.Console;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle demo</c>: the seeds' experiments end to end against an embedded loopback server: page titles
/// sequential vs pooled, books fetch → save → count words, CPU work sequential vs threads, and the bank
/// transfers unsafe vs locked. Offline; about 10 s.
/// </summary>
internal sealed class DemoCommand(CliEnvironment env, DemoCommand.Settings settings)
{
    private readonly IAnsiConsole _console = env.Console;
    private readonly List<Row> _summary = [];

    internal sealed record Settings(TimeSpan Latency, int Pages, int Books, int MathTasks, int MathIterations, int BankSeed)
    {
        /// <summary>Write the titles experiment (sequential and pooled runs) as an SVG Gantt chart here.</summary>
        public string? TimelineFile { get; init; }

        /// <summary>Write the titles experiment as Chrome trace events here.</summary>
        public string? TraceFile { get; init; }
    }

    private sealed record Row(string Experiment, TimeSpan Sequential, TimeSpan? Threads, TimeSpan? Async, TimeSpan? Processes, string Check, string ProcessesNote = "-");

    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Run the seeds' experiments offline against an embedded server and compare sequential, threads, async and processes";

    public static Command Create(CliEnvironment env)
    {
        var latency = OptionRules.Int("--latency", "Server latency per request, ms (0 to 10000)", 0, 10_000, 200, 50);
        var pages = OptionRules.Int("--pages", "Pages to fetch (1 to 20)", 1, 20, 20, 10);
        var books = OptionRules.Int("--books", "Books to fetch and count (1 to 100)", 1, 100, 6, 4);
        var timeline = new Option<string?>("--timeline") { Description = "Write the titles experiment as an SVG Gantt chart (one lane per worker, from the futures' timestamps)", HelpName = "FILE" };
        var trace = new Option<string?>("--trace") { Description = "Write the titles experiment as Chrome trace-event JSON", HelpName = "FILE" };
        CommonOptions.ValidateOutputFile(timeline);
        CommonOptions.ValidateOutputFile(trace);
        var iterations = OptionRules.Int("--iterations", "Math loop iterations per CPU task, 1 to 100000000 (Python's seed uses 2,000,000)", 1, 100_000_000, 200_000, 2_000_000);

        var command = new Command("demo", Summary)
        {
            latency, pages, books, iterations, timeline, trace,
        };
        command.SetAction((result, token) => new DemoCommand(env, new Settings(
            TimeSpan.FromMilliseconds(result.GetValue(latency)),
            result.GetValue(pages),
            result.GetValue(books),
            20,
            result.GetValue(iterations),
            BankSeed: 3)
        {
            TimelineFile = result.GetValue(timeline),
            TraceFile = result.GetValue(trace),
        }).RunAsync(token));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        _console.Write(new Rule("[bold]juggle demo[/]: the seeds' experiments, offline").LeftJustified());
        var server = await DemoServer.StartAsync(settings.Latency, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            _console.MarkupLineInterpolated($"Embedded server on [cyan]{server.BaseAddress}[/], {settings.Latency.TotalMilliseconds:0} ms latency per request; {Environment.ProcessorCount} cores.");
            if (LoadAverage() is { } load && load > Environment.ProcessorCount * 0.75)
            {
                _console.MarkupLineInterpolated($"[yellow]Load average {load:0.0} on {Environment.ProcessorCount} cores: other programs are using the CPU, so CPU-bound speed-ups will be small.[/]");
            }


            var work = env.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "juggle-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(work);
            try
            {
                var failures = 0;
                failures += await TitlesAsync(server, cancellationToken).ConfigureAwait(false);
                failures += await BooksAsync(server, work, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                Cpu();
                cancellationToken.ThrowIfCancellationRequested();
                Bank();
                PrintSummary(total.Elapsed);
                return failures == 0 ? ExitCodes.Success : ExitCodes.SomeFailed;
            }
            finally
            {
                if (env.WorkDirectory is null)
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        }
    }

    private async Task<int> TitlesAsync(DemoServer server, CancellationToken token)
    {
        Section("1. Page titles (seed 000 / 003): sequential vs a thread pool vs async");
        var http = new HttpSettings { Timeout = TimeSpan.FromSeconds(10), Retries = 1 };
        using var client = HttpFactory.CreateClient(env, http);
        var fetcher = new PageFetcher(client, new Retrier(http), http, PageQuery.Create(null, 1 << 20));
        var urls = Enumerable.Range(1, settings.Pages).Select(n => server.PokedexUrl(n).ToString()).ToList();

        var spans = new List<TaskSpan>();
        var watch = Stopwatch.StartNew();
        var sequential = urls.Select(u =>
        {
            var start = Stopwatch.GetTimestamp();
            var page = fetcher.Fetch(u, token);
            spans.Add(new TaskSpan("sequential: main", u, start, Stopwatch.GetTimestamp(), page.Succeeded));
            return page;
        }).ToList();
        var seqTime = watch.Elapsed;
        _console.MarkupLineInterpolated($"  sequential: {urls.Count} pages one after another in [yellow]{Speed.Seconds(seqTime)}[/]");

        // Seed 000's pattern: submit everything to a ThreadPoolExecutor, print each result as it completes.
        watch.Restart();
        var pooled = new Dictionary<string, PageResult>();
        var order = new List<int>();
        using (var pool = new ThreadPoolExecutor(urls.Count, "titles"))
        {
            var futures = urls.ToDictionary(u => pool.Submit(() => fetcher.Fetch(u, token)), u => u);
            foreach (var future in Futures.AsCompleted(futures.Keys, TimeSpan.FromSeconds(60)))
            {
                var result = future.Result();
                pooled[futures[future]] = result;
                order.Add(urls.IndexOf(futures[future]) + 1);
            }

            // The seed 003 diagram, drawn from the real run: which worker ran which request, and when.
            spans.AddRange(futures.Keys.Select(f => new TaskSpan($"pool: {f.WorkerName}", futures[f], f.StartTimestamp, f.EndTimestamp, !f.Failed)));
        }

        var poolTime = watch.Elapsed;
        _console.MarkupLineInterpolated($"  threads:    ThreadPoolExecutor({urls.Count}) + Futures.AsCompleted in [green]{Speed.Seconds(poolTime)}[/]; completion order: {string.Join(' ', order.Take(12))}{(order.Count > 12 ? " …" : "")}");

        watch.Restart();
        var asyncResults = await Task.WhenAll(urls.Select(u => fetcher.FetchAsync(u, token))).ConfigureAwait(false);
        var asyncTime = watch.Elapsed;
        _console.MarkupLineInterpolated($"  async:      Task.WhenAll over {urls.Count} requests in [green]{Speed.Seconds(asyncTime)}[/]");

        var table = new Table().Border(TableBorder.Rounded).AddColumn("#").AddColumn("title (from the pooled run)").AddColumn("status").AddColumn(new TableColumn("ms").RightAligned());
        foreach (var (url, i) in urls.Select((u, i) => (u, i)).Take(5))
        {
            var r = pooled[url];
            table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Value ?? r.Error ?? ""), r.Status?.ToString(CultureInfo.InvariantCulture) ?? "-", r.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture));
        }

        if (urls.Count > 5)
        {
            table.AddRow("…", $"and {urls.Count - 5} more", "", "");
        }

        _console.Write(table);
        foreach (var path in ChromeTrace.WriteRequested(settings.TimelineFile, settings.TraceFile, spans, "juggle demo: titles"))
        {
            _console.MarkupLineInterpolated($"  wrote {path}");
        }

        var same = sequential.Select(r => r.Value).SequenceEqual(urls.Select(u => pooled[u].Value)) && sequential.Select(r => r.Value).SequenceEqual(asyncResults.Select(r => r.Value));
        var failed = sequential.Count(r => !r.Succeeded) + pooled.Values.Count(r => !r.Succeeded) + asyncResults.Count(r => !r.Succeeded);
        _summary.Add(new Row($"titles ×{urls.Count} (I/O)", seqTime, poolTime, asyncTime, null, same && failed == 0 ? "same titles ✓" : $"MISMATCH ✗ ({failed} failed)"));
        return same ? failed : failed + 1;
    }

    [System.Diagnostics.CodeAnalysis.DynamicDependency("CountFile(System.String)", typeof(WordCounter))]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Native.NativeBuild.ProcessPoolJustification)]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = Native.NativeBuild.ProcessPoolJustification)]
    private async Task<int> BooksAsync(DemoServer server, string work, CancellationToken token)
    {
        Section("2. Books (seed 004): fetch → save → tokenize and count words");
        var http = new HttpSettings { Timeout = TimeSpan.FromSeconds(30), Retries = 1 };
        using var client = HttpFactory.CreateClient(env, http);
        var urls = Enumerable.Range(1, settings.Books).Select(server.BookUrl).ToList();

        // Blocking I/O on the worker's own thread, like Python's requests.get in seed 004.
        string Download(Uri url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = client.Send(request, HttpCompletionOption.ResponseHeadersRead, token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(response.Content.ReadAsStream(token), Charset.Utf8);
            return reader.ReadToEnd();
        }

        var watch = Stopwatch.StartNew();
        var sequentialTexts = urls.Select(Download).ToList();
        var seqFetch = watch.Elapsed;

        watch.Restart();
        List<string> texts;
        using (var pool = new ThreadPoolExecutor(urls.Count, "books"))
        {
            texts = pool.Map(Download, urls).ToList();
        }

        var poolFetch = watch.Elapsed;
        var bytes = texts.Sum(t => (long)t.Length);
        _console.MarkupLineInterpolated($"  fetch {urls.Count} books ({bytes / 1024.0 / 1024.0:0.0} MB): sequential [yellow]{Speed.Seconds(seqFetch)}[/], threads [green]{Speed.Seconds(poolFetch)}[/]");
        _summary.Add(new Row($"fetch {urls.Count} books (I/O)", seqFetch, poolFetch, null, null, sequentialTexts.SequenceEqual(texts) ? "same bytes ✓" : "MISMATCH ✗"));

        watch.Restart();
        var paths = urls.Select((u, i) => Path.Combine(work, Path.GetFileName(u.AbsolutePath))).ToList();
        using (var pool = new ThreadPoolExecutor(urls.Count, "save"))
        {
            var saves = paths.Select((p, i) => pool.Submit(() => File.WriteAllText(p, texts[i]))).ToList();
            Futures.Wait(saves, TimeSpan.FromSeconds(60));
            foreach (var save in saves)
            {
                save.Wait(TimeSpan.Zero);
            }
        }

        _console.MarkupLineInterpolated($"  saved to {Markup.Escape(work)} with threads in {Speed.Seconds(watch.Elapsed)}");

        watch.Restart();
        var seqCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            WordCounter.Merge(seqCounts, WordCounter.CountFile(path));
        }

        var seqCount = watch.Elapsed;
        watch.Restart();
        var threadCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var pool = new ThreadPoolExecutor(Environment.ProcessorCount, "tokenize"))
        {
            foreach (var part in pool.Map(WordCounter.CountFile, paths))
            {
                WordCounter.Merge(threadCounts, part);
            }
        }

        var threadCount = watch.Elapsed;

        // Seed 004's advice for the CPU-bound step: a process pool (workers are separate `dotnet` processes).
        watch.Restart();
        var processCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var processError = TryProcesses(() =>
        {
            using var pool = new ProcessPoolExecutor(Environment.ProcessorCount);
            foreach (var part in pool.Map(WordCounter.CountFile, paths))
            {
                WordCounter.Merge(processCounts, part);
            }
        });
        TimeSpan? processCount = processError is null ? watch.Elapsed : null;
        var totalWords = threadCounts.Values.Sum(v => (long)v);
        var top = WordCounter.Top(threadCounts, 5);
        _console.MarkupLineInterpolated($"  tokenize: sequential [yellow]{Speed.Seconds(seqCount)}[/], threads [green]{Speed.Seconds(threadCount)}[/], processes [green]{(processCount is { } pc ? Speed.Seconds(pc) + " (including starting the workers)" : "unavailable: " + processError)}[/] — {totalWords:N0} words, {threadCounts.Count:N0} distinct; top: {string.Join(", ", top.Select(p => $"{p.Key} {p.Value:N0}"))}");
        var same = SameCounts(seqCounts, threadCounts) && (processError is not null || SameCounts(seqCounts, processCounts));
        _summary.Add(new Row($"count words, {urls.Count} books (CPU)", seqCount, threadCount, null, processCount, same ? "same counts ✓" : "MISMATCH ✗", "unavailable"));
        return same ? 0 : 1;
    }

    /// <summary>Runs a process-pool experiment; returns why the pool could not run (no worker host, broken pool), or null.</summary>
    private static string? TryProcesses(Action experiment)
    {
        try
        {
            experiment();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or BrokenExecutorException or WorkerCrashedException or RemoteException)
        {
            return ex.Message;
        }
    }

    private static bool SameCounts(Dictionary<string, int> a, Dictionary<string, int> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var n) && n == p.Value);

    [System.Diagnostics.CodeAnalysis.DynamicDependency(nameof(CpuWork.DoMathOnce), typeof(CpuWork))]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Native.NativeBuild.ProcessPoolJustification)]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = Native.NativeBuild.ProcessPoolJustification)]
    private void Cpu()
    {
        Section("3. CPU work (seed 003's math loop): sequential vs threads vs processes");
        var tasks = Enumerable.Range(1, settings.MathTasks).ToList();
        var watch = Stopwatch.StartNew();
        var sequential = tasks.Select(n => CpuWork.DoMathOnce(n, settings.MathIterations)).ToList();
        var seqTime = watch.Elapsed;

        watch.Restart();
        List<double> threaded;
        using (var pool = new ThreadPoolExecutor(Environment.ProcessorCount, "math"))
        {
            threaded = pool.Map(n => CpuWork.DoMathOnce(n, settings.MathIterations), tasks).ToList();
        }

        var threadTime = watch.Elapsed;

        watch.Restart();
        var inProcesses = new List<double>();
        var processError = TryProcesses(() =>
        {
            using var pool = new ProcessPoolExecutor(Environment.ProcessorCount);
            var futures = tasks.Select(n => pool.Submit(CpuWork.DoMathOnce, n, settings.MathIterations)).ToList();
            inProcesses.AddRange(futures.Select(f => f.Result(TimeSpan.FromMinutes(5))));
        });
        TimeSpan? processTime = processError is null ? watch.Elapsed : null;
        _console.MarkupLineInterpolated($"  {tasks.Count} tasks × {settings.MathIterations:N0} iterations: sequential [yellow]{Speed.Seconds(seqTime)}[/], threads ({Environment.ProcessorCount}) [green]{Speed.Seconds(threadTime)}[/], processes ({Environment.ProcessorCount}) [green]{(processTime is { } pt ? Speed.Seconds(pt) : "unavailable: " + processError)}[/]");
        _console.MarkupLine("  .NET threads run C# on every core at once (no GIL): threads give the multi-core speed-up Python needs processes for, when cores are free; processes add start-up and copying.");
        var same = sequential.SequenceEqual(threaded) && (processError is not null || sequential.SequenceEqual(inProcesses));
        _summary.Add(new Row($"math loop ×{tasks.Count} (CPU)", seqTime, threadTime, null, processTime, same ? "same results ✓" : "MISMATCH ✗", "unavailable"));
    }

    private void Bank()
    {
        Section("4. Bank transfers (seed 003): a race condition, then the lock that fixes it");
        var verify = TimeSpan.FromMilliseconds(100);
        var runs = new[]
        {
            BankSimulation.RunSequential(settings.BankSeed, verify),
            BankSimulation.RunThreads(settings.BankSeed, verify, locked: false),
            BankSimulation.RunThreads(settings.BankSeed, verify, locked: true),
        };
        var table = new Table().Border(TableBorder.Rounded).AddColumn("run").AddColumn("final balances").AddColumn(new TableColumn("sum").RightAligned()).AddColumn("money invariant").AddColumn(new TableColumn("time").RightAligned());
        foreach (var run in runs)
        {
            table.AddRow(
                new Text(run.Label),
                new Text(string.Join("  ", run.Balances)),
                new Text(run.Sum.ToString(CultureInfo.InvariantCulture)),
                new Markup(run.InvariantHolds ? "[green]holds (5000)[/]" : $"[red]BROKEN: {run.Sum - 5000:+0;-0} lost/created[/]"),
                new Text(Speed.Seconds(run.Elapsed)));
        }

        _console.Write(table);
        var unsafeRun = runs[1];
        _console.MarkupLine(unsafeRun.InvariantHolds
            ? "  The unlocked run happened to keep the total this time; races are timing-dependent. Run again to see one."
            : "  Without the lock, two transfers read the same balance and one write overwrites the other: money appears or vanishes.");
        _summary.Add(new Row("bank transfers (I/O + shared state)", runs[0].Elapsed, runs[2].Elapsed, null, null,
            (runs[0].InvariantHolds && runs[2].InvariantHolds ? "locked keeps 5000 ✓" : "LOCKED RUN BROKE ✗") + (unsafeRun.InvariantHolds ? "" : $"; unlocked: {unsafeRun.Sum}")));
    }

    private void PrintSummary(TimeSpan total)
    {
        Section("Comparison");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("experiment")
            .AddColumn(new TableColumn("sequential").RightAligned())
            .AddColumn(new TableColumn("threads").RightAligned())
            .AddColumn(new TableColumn("async").RightAligned())
            .AddColumn(new TableColumn("processes").RightAligned())
            .AddColumn(new TableColumn("best speed-up").RightAligned())
            .AddColumn("check");
        foreach (var row in _summary)
        {
            var best = new[] { row.Threads, row.Async, row.Processes }.Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(row.Sequential).Min();
            table.AddRow(
                row.Experiment,
                Speed.Seconds(row.Sequential),
                row.Threads is { } t ? Speed.Seconds(t) : "-",
                row.Async is { } a ? Speed.Seconds(a) : "-",
                row.Processes is { } p ? Speed.Seconds(p) : row.ProcessesNote,
                Speed.Ratio(row.Sequential, best),
                row.Check);
        }

        _console.Write(table);
        _console.MarkupLine("Pick [bold]threads or async[/] when the work waits (network, disk, sleeps); pick [bold]threads[/] (in .NET) or [bold]processes[/] (in Python) when it computes; and guard shared state with a lock.");
        _console.MarkupLineInterpolated($"Demo finished in [bold]{Speed.Seconds(total)}[/].");
    }

    /// <summary>The 1-minute load average on Linux, or null elsewhere.</summary>
    private static double? LoadAverage()
    {
        try
        {
            var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : null;
            return text is not null && double.TryParse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Section(string title)
    {
        _console.WriteLine();
        _console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
    }
}
