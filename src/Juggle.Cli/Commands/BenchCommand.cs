using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Juggle.Cli.Demo;
using Juggle.Cli.Html;
using Juggle.Cli.Http;
using Juggle.Cli.Input;
using Juggle.Cli.Reporting;
using Juggle.Cli.Running;
using Juggle.Cli.Workloads;
using Spectre.Console;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle bench</c>: the seeds' lesson as a feature. Runs one workload sequentially, with threads, with async
/// and with processes, prints times, speed-ups and a bar chart, and says in plain words what to pick, including
/// "don't parallelise this" when per-item overhead swamps the work (seed 002's prime check).
/// </summary>
internal sealed class BenchCommand(CliEnvironment env, BenchCommand.Settings settings)
{
    public enum Workload
    {
        Io,
        Cpu,
        Hash,
        Primes,
    }

    internal sealed record Settings(Workload Workload, string? UrlsFile, int Items, TimeSpan Latency, RunSettings Run);

    internal sealed record Measurement(RunMode Mode, TimeSpan? Elapsed, string Check, int Workers, string? Note);

    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Time one workload sequentially, with threads, async and processes; chart it and recommend what to use";

    public static Command Create(CliEnvironment env)
    {
        var common = new CommonOptions($"{RunSettings.DefaultIoWorkers} for io, one per core for cpu, hash and primes");
        var workload = OptionRules.Choice("WORKLOAD", "What to time (default: io)", Workload.Io);
        var urls = new Option<string?>("--urls") { Description = "Benchmark fetching these URLs (one per line) instead of the embedded server", HelpName = "FILE" };
        var items = OptionRules.OptionalInt("--items", "Items per run, 1 to 1000000 (default: io 40, cpu 20, hash 20, primes 10000)", 1, 1_000_000, 100, "-n");
        var latency = OptionRules.Int("--latency", "Embedded server latency for io, ms (0 to 10000)", 0, 10_000, 50, 100);
        var command = new Command("bench", Summary) { workload, urls, items, latency };
        common.AddTo(command);
        var broker = BrokerOption.AddTo(command, common.Mode);
        command.SetAction((result, token) => new BenchCommand(env, new Settings(
            result.GetValue(workload),
            result.GetValue(urls),
            result.GetValue(items) ?? 0,
            TimeSpan.FromMilliseconds(result.GetValue(latency)),
            common.Read(result) with { Broker = result.GetValue(broker) })).RunAsync(token));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var dashboard = RunDashboard.Start(settings.Run, env.Error);
        var workload = settings.UrlsFile is not null ? Workload.Io : settings.Workload;
        if (workload == Workload.Io)
        {
            if (settings.Run.ModeGiven && settings.Run.Mode is RunMode.Processes or RunMode.Cluster)
            {
                throw new UsageException($"--mode {settings.Run.Mode.ToString().ToLowerInvariant()} is for CPU-bound work (bench cpu, hash or primes); bench io waits on the network, so use --mode threads or --mode async.");
            }

            return await RunIoAsync(cancellationToken).ConfigureAwait(false);
        }

        var cores = Environment.ProcessorCount;
        var workers = settings.Run.Workers > 0 ? settings.Run.Workers : cores;
        return workload switch
        {
            Workload.Cpu => Compare("cpu: seed 003's math loop", Enumerable.Range(1, Count(20)).ToList(), CpuWork.BenchMath, workers, cpuBound: true, cancellationToken, staticWork: CpuWork.BenchMath),
            Workload.Hash => Compare("hash: SHA-256 chains (seed 002)", Enumerable.Range(1, Count(20)).ToList(), CpuWork.BenchHash, workers, cpuBound: true, cancellationToken, staticWork: CpuWork.BenchHash),
            _ => Compare("primes: is n prime? (seed 002)", Enumerable.Range(1_000_000, Count(10_000)).Select(i => (long)i).ToList(), CpuWork.IsPrime, workers, cpuBound: true, cancellationToken, staticWork: CpuWork.IsPrime),
        };
    }

    private int Count(int fallback) => settings.Items > 0 ? settings.Items : fallback;

    private async Task<int> RunIoAsync(CancellationToken token)
    {
        DemoServer? server = null;
        List<string> urls;
        string title;
        if (settings.UrlsFile is { } file)
        {
            urls = UrlSource.Open([], file, () => env.In, "--urls").Where(l => l.Error is null).Select(l => l.Text).ToList();
            if (settings.Items > 0)
            {
                urls = urls.Take(settings.Items).ToList();
            }

            if (urls.Count == 0)
            {
                throw new UsageException($"no usable http(s) URLs in '{file}'.");
            }

            title = $"io: {urls.Count} URLs from {Path.GetFileName(file)}";
        }
        else
        {
            server = await DemoServer.StartAsync(settings.Latency, cancellationToken: token).ConfigureAwait(false);
            urls = Enumerable.Range(1, Count(40)).Select(n => server.PageUrl(n).ToString()).ToList();
            title = $"io: {urls.Count} pages from the embedded server, {settings.Latency.TotalMilliseconds:0} ms latency each";
        }

        try
        {
            var http = new HttpSettings { Timeout = settings.Run.Timeout, Retries = settings.Run.Retries };
            using var client = HttpFactory.CreateClient(env, http);
            var fetcher = new PageFetcher(client, new Retrier(http), http, PageQuery.Create(null, 1_000_000));
            var workers = settings.Run.Workers > 0 ? settings.Run.Workers : 32;
            return Compare(title, urls, u => fetcher.Fetch(u, token), workers, cpuBound: false, token, u => fetcher.FetchAsync(u, token), r => r.Value ?? r.Error ?? "");
            // Processes are not measured for I/O: the fetcher (HTTP client, retry pipeline) lives in this process.
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private int Compare<TItem, TResult>(
        string title,
        IReadOnlyList<TItem> items,
        Func<TItem, TResult> work,
        int workers,
        bool cpuBound,
        CancellationToken token,
        Func<TItem, Task<TResult>>? workAsync = null,
        Func<TResult, object>? key = null,
        Func<TItem, TResult>? staticWork = null)
    {
        key ??= r => r!;
        workAsync ??= item => Task.Run(() => work(item), token);
        var spans = settings.Run.TimelineFile is not null || settings.Run.TraceFile is not null ? new List<TaskSpan>() : null;
        var rows = new List<Measurement>();
        List<object>? baseline = null;
        var failed = false;
        if (!settings.Run.Json)
        {
            env.Console.Write(new Rule($"[bold]juggle bench[/] {Markup.Escape(title)}").LeftJustified());
        }

        // Warm up (JIT, connection pool) so the first mode isn't charged for it.
        _ = work(items[0]);

        // --mode X measures X against the sequential baseline; without it, every mode.
        RunMode[] modes = !settings.Run.ModeGiven ? [RunMode.Sequential, RunMode.Threads, RunMode.Async, RunMode.Processes]
            : settings.Run.Mode == RunMode.Sequential ? [RunMode.Sequential]
            : [RunMode.Sequential, settings.Run.Mode];
        foreach (var mode in modes)
        {
            token.ThrowIfCancellationRequested();
            if (mode is RunMode.Processes or RunMode.Cluster && staticWork is null)
            {
                rows.Add(new Measurement(mode, null, "-", workers, "not measured for I/O (use threads or async)"));
                continue;
            }

            var runner = new ModeRunner(mode, mode == RunMode.Sequential ? 1 : workers, settings.Run.Rate, settings.Run.Broker) { Notices = env.Error };
            var watch = Stopwatch.StartNew();
            List<TaskRecord<TResult>> records;
            try
            {
                records = runner.Run(items, (item, _) => work(item), (item, _) => workAsync(item), asCompleted: false, token, staticWork).ToList();
            }
            catch (Exception ex) when (mode != RunMode.Sequential && (ex is not OperationCanceledException || !token.IsCancellationRequested))
            {
                // One mode that cannot run (a process pool that cannot start its workers) is that row's failure.
                rows.Add(new Measurement(mode, null, "-", runner.Workers, $"failed: {TerminalText.Clean(ex.Message)}"));
                failed = true;
                continue;
            }

            var elapsed = watch.Elapsed;
            var results = records.Select(r => key(r.Result)).ToList();
            if (results.Any(r => r is PageResult { Succeeded: false }))
            {
                failed = true;
            }

            baseline ??= results;
            var same = baseline.SequenceEqual(results);
            rows.Add(new Measurement(mode, elapsed, same ? "same results ✓" : "DIFFERENT ✗", runner.Workers, null));
            spans?.AddRange(records.Select(r => new TaskSpan($"{mode.ToString().ToLowerInvariant()}: {r.Lane}", $"item {r.Index}", r.Start, r.End, true)));
            if (!same)
            {
                failed = true;
            }
        }

        Report(title, rows, items.Count, cpuBound);
        if (spans is not null)
        {
            foreach (var path in ChromeTrace.WriteRequested(settings.Run.TimelineFile, settings.Run.TraceFile, spans, "juggle bench"))
            {
                env.Error.WriteLine($"wrote {path}");
            }
        }

        return failed ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    private void Report(string title, List<Measurement> rows, int items, bool cpuBound)
    {
        var sequential = rows[0].Elapsed!.Value;
        var measured = rows.Where(r => r.Elapsed is not null).ToList();
        var best = measured.MinBy(r => r.Elapsed!.Value)!;
        var bestParallel = measured.Where(r => r.Mode != RunMode.Sequential).MinBy(r => r.Elapsed!.Value);
        var recommendation = Recommend(sequential, best, bestParallel, items, cpuBound);
        var tie = measured.Where(r => r != best && r.Mode != RunMode.Sequential && r.Elapsed!.Value <= best.Elapsed!.Value * 1.15).ToList();
        if (tie.Count > 0 && best.Mode != RunMode.Sequential)
        {
            recommendation += $" ({string.Join(" and ", tie.Select(t => t.Mode.ToString().ToLowerInvariant()))} came within 15%: pick whichever fits your code.)";
        }
        if (settings.Run.Json)
        {
            foreach (var row in rows)
            {
                env.Out.WriteLine(JsonLines.Format(json =>
                {
                    json.WriteString("workload", title);
                    json.WriteString("mode", row.Mode.ToString().ToLowerInvariant());
                    json.WriteNumber("workers", row.Workers);
                    json.WriteNumber("items", items);
                    if (row.Elapsed is { } t)
                    {
                        json.WriteNumber("ms", Math.Round(t.TotalMilliseconds, 1));
                        json.WriteNumber("speedup", Math.Round(sequential / t, 2));
                    }
                    else
                    {
                        json.WriteNull("ms");
                        json.WriteNull("speedup");
                    }

                    json.WriteNullableString("note", row.Note);
                }));
            }

            env.Error.WriteLine(recommendation);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("mode").AddColumn(new TableColumn("workers").RightAligned()).AddColumn(new TableColumn("time").RightAligned())
            .AddColumn(new TableColumn("speed-up").RightAligned()).AddColumn(new TableColumn("items/s").RightAligned()).AddColumn("check");
        foreach (var row in rows)
        {
            table.AddRow(
                row.Mode.ToString().ToLowerInvariant(),
                row.Workers.ToString(CultureInfo.InvariantCulture),
                row.Elapsed is { } t ? Speed.Seconds(t) : "-",
                row.Elapsed is { } t2 ? Speed.Ratio(sequential, t2) : "-",
                row.Elapsed is { } t3 ? (items / t3.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture) : "-",
                row.Note ?? row.Check);
        }

        env.Console.Write(table);
        var chart = new BarChart().Width(70).Label("[bold]time (ms), shorter is better[/]");
        foreach (var row in measured)
        {
            chart.AddItem(row.Mode.ToString().ToLowerInvariant(), Math.Round(row.Elapsed!.Value.TotalMilliseconds), row == best ? Color.Green : row.Mode == RunMode.Sequential ? Color.Yellow : Color.Blue);
        }

        env.Console.Write(chart);
        env.Console.MarkupLine($"[bold]Recommendation:[/] {Markup.Escape(recommendation)}");
    }

    internal static string Recommend(TimeSpan sequential, Measurement best, Measurement? bestParallel, int items, bool cpuBound)
    {
        ArgumentNullException.ThrowIfNull(best);
        var parallelSpeedup = bestParallel?.Elapsed is { } p ? sequential / p : 1.0;
        var parallelName = bestParallel?.Mode.ToString().ToLowerInvariant() ?? "parallel";
        var perItem = sequential.TotalMilliseconds * 1000 / Math.Max(1, items);
        var speedup = sequential / best.Elapsed!.Value;
        var cores = Environment.ProcessorCount;
        if (best.Mode == RunMode.Sequential || speedup < 1.3)
        {
            if (perItem < 200 || !cpuBound)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"don't parallelise this. Each item takes about {perItem:0.#} µs, so handing it to a worker costs as much as doing it: the best parallel run ({parallelName}) ran at {Speed.Factor(parallelSpeedup)} the sequential speed. Keep it sequential, or batch many items per task (Map's chunkSize).");
            }

            return string.Create(CultureInfo.InvariantCulture,
                $"no speed-up measured ({Speed.Factor(parallelSpeedup)} with {parallelName}) although each item is real CPU work ({perItem / 1000:0.#} ms): the {cores} cores look busy with other programs. This work is CPU-bound, so on an idle machine threads (or processes) with one worker per core can approach {cores}×; right now, sequential is as good.");
        }

        if (!cpuBound)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"this is I/O-bound: use {best.Mode.ToString().ToLowerInvariant()} ({Speed.Factor(speedup)} faster than sequential). Workers mostly wait, so many more workers than cores pays off until the server or network saturates; try --workers 64.");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"this is CPU-bound: use {best.Mode.ToString().ToLowerInvariant()} with one worker per core ({Speed.Factor(speedup)} faster here; the ceiling on this machine is {cores}×). In .NET, threads run C# on all cores at once, and processes add start-up and copying; in Python you'd need processes for this.");
    }
}
