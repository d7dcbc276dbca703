using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Juggle.Cli.Html;
using Juggle.Cli.Http;
using Juggle.Cli.Input;
using Juggle.Cli.Reporting;
using Juggle.Cli.Running;
using Spectre.Console;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle titles</c>: fetch each page and print its <c>&lt;title&gt;</c> (or <c>--select CSS</c>), seed 000 and
/// seed 003's scrapers as a tool. Input streams lazily; results come in input order (or <c>--as-completed</c>).
/// </summary>
internal sealed class TitlesCommand(CliEnvironment env, TitlesCommand.Settings settings)
{
    internal sealed record Settings(
        IReadOnlyList<string> Urls,
        string? InputFile,
        string? Selector,
        bool AsCompleted,
        long MaxBytes,
        int MaxRedirects,
        RunSettings Run);

    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Fetch pages and print their <title> (or --select CSS), one line per URL";

    public static Command Create(CliEnvironment env)
    {
        var common = new CommonOptions(RunSettings.DefaultIoWorkers.ToString(CultureInfo.InvariantCulture));
        var urls = new Argument<string[]>("URL") { Description = "Pages to fetch", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<string?>("--input", "-i") { Description = "Read URLs from FILE, one per line (- for stdin); blank lines and # comments skipped", HelpName = "FILE" };
        var select = new Option<string?>("--select", "-s") { Description = "Print the text of the first element matching this CSS selector instead of the title (e.g. h1)", HelpName = "CSS" };
        var asCompleted = new Option<bool>("--as-completed") { Description = "Print results as they finish instead of in input order" };
        var maxBytes = OptionRules.Int("--max-bytes", "Read at most this many bytes of each body (1024 to 1000000000)", 1024, 1_000_000_000, 1_000_000, 1_000_000);
        var maxRedirects = OptionRules.Int("--max-redirects", "Follow at most this many http(s) redirects (0 to 50)", 0, 50, 10, 5);

        var command = new Command("titles", Summary) { urls, input, select, asCompleted, maxBytes, maxRedirects };
        common.AddTo(command);
        command.SetAction((result, token) => Task.Run(
            () => new TitlesCommand(env, new Settings(
                result.GetValue(urls) ?? [],
                result.GetValue(input),
                result.GetValue(select),
                result.GetValue(asCompleted),
                result.GetValue(maxBytes),
                result.GetValue(maxRedirects),
                common.Read(result))).Run(token),
            CancellationToken.None));
        return command;
    }

    public int Run(CancellationToken cancellationToken)
    {
        var run = settings.Run;
        using var dashboard = RunDashboard.Start(run, env.Error);
        var query = PageQuery.Create(settings.Selector, settings.MaxBytes);
        var lines = UrlSource.Open(settings.Urls, settings.InputFile, () => env.In);
        var http = new HttpSettings
        {
            Timeout = run.Timeout,
            Retries = run.Retries,
            MaxRedirects = settings.MaxRedirects,
            // Thread workers make blocking requests: keep their sockets blocking too (see ConnectBlockingAsync).
            BlockingConnect = run.Mode is RunMode.Threads or RunMode.Sequential,
        };
        using var client = HttpFactory.CreateClient(env, http);
        var fetcher = new PageFetcher(client, new Retrier(http), http, query);
        var runner = new ModeRunner(run.Mode, run.IoWorkers, run.Rate);
        var spans = run.TimelineFile is not null || run.TraceFile is not null ? new List<TaskSpan>() : null;
        // Result lines for a pipe, a file or JSON: written in batches (within 50 ms), not one system call each.
        using var output = run.Json || !env.Interactive ? new LineBatcher(env.Out) : null;

        // Diagnostics for start-up work: JUGGLE_JIT_STATS=1 prints, on stderr, how many methods were JIT-compiled by
        // the first result and by the end, and when (ms since the process started), with the garbage collections and
        // bytes allocated so far.
        var jitStats = Environment.GetEnvironmentVariable("JUGGLE_JIT_STATS") is "1";
        long ok = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        var interrupted = false;
        try
        {
            var results = runner.Run(
                lines,
                (line, token) => line.Error is { } error ? PageResult.Failed(line.Text, error) : fetcher.Fetch(line.Text, token),
                (line, token) => line.Error is { } error ? Task.FromResult(PageResult.Failed(line.Text, error)) : fetcher.FetchAsync(line.Text, token),
                settings.AsCompleted,
                cancellationToken,
                onError: static (line, ex) => PageResult.Failed(line.Text, $"unexpected error: {ex.Message} ({ex.GetType().Name})"));
            void Consume(Action? onEach)
            {
                foreach (var record in results)
                {
                    if (jitStats && ok + failed == 0)
                    {
                        WriteJitStats("first result");
                    }

                    var line = record.Result;
                    if (line.Succeeded)
                    {
                        ok++;
                    }
                    else
                    {
                        failed++;
                    }

                    Print(record, query, output);
                    spans?.Add(new TaskSpan(record.Lane, line.Url, record.Start, record.End, line.Succeeded));
                    onEach?.Invoke();
                }
            }

            if (env.Interactive && !run.Json)
            {
                // A live status line under the results: the input streams, so there is no total for a bar.
                env.Console.Status().Start("fetching…", ctx => Consume(() => ctx.Status(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{ok + failed} done, {failed} failed, {(ok + failed) / Math.Max(0.001, watch.Elapsed.TotalSeconds):0}/s ({runner.Mode.ToString().ToLowerInvariant()}, {runner.Workers} workers)"))));
            }
            else
            {
                Consume(null);
            }
        }

        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        // Every result line out before the summary.
        output?.Flush();

        var summary = string.Create(CultureInfo.InvariantCulture, $"{ok} ok, {failed} failed in {Speed.Seconds(watch.Elapsed)} ({runner.Mode.ToString().ToLowerInvariant()}, {runner.Workers} workers){(interrupted ? " — interrupted" : "")}");
        if (env.Interactive && !run.Json)
        {
            env.Console.MarkupLineInterpolated($"[bold]{summary}[/]");
        }
        else
        {
            env.Error.WriteLine(summary);
        }

        if (jitStats)
        {
            WriteJitStats("end");
        }

        if (spans is not null)
        {
            foreach (var path in ChromeTrace.WriteRequested(run.TimelineFile, run.TraceFile, spans, "juggle titles"))
            {
                env.Error.WriteLine($"wrote {path}");
            }
        }

        return interrupted ? ExitCodes.Interrupted : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    private void WriteJitStats(string when)
    {
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        env.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"jit: {when} at {sinceStart.TotalMilliseconds:0} ms: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods JIT-compiled in {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} ms; gc: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), {GC.GetTotalAllocatedBytes() / (1024.0 * 1024):0.0} MB allocated"));
    }

    private void Print(TaskRecord<PageResult> record, PageQuery query, LineBatcher? lines)
    {
        var r = record.Result;
        if (lines is not null && settings.Run.Json)
        {
            lines.WriteLine(JsonLine(record, query));
        }
        else if (env.Interactive)
        {
            // Interpolated markup escapes [ and ]; TerminalText neutralises escape sequences and bidi overrides.
            var url = TerminalText.Clean(r.Url);
            if (r.Succeeded)
            {
                env.Console.MarkupLineInterpolated($"[green]✓[/] [link]{url}[/] [grey]→[/] {TerminalText.Clean(r.Value)} [grey]({r.Elapsed.TotalMilliseconds:0} ms)[/]");
            }
            else
            {
                env.Console.MarkupLineInterpolated($"[red]✗[/] {url} [red]{TerminalText.Clean(r.Error)}[/]");
            }
        }
        else if (lines is not null)
        {
            // Tabs and line breaks inside a title or error are escaped too, so each line keeps exactly two columns.
            lines.WriteLine(r.Succeeded ? $"{TerminalText.Clean(r.Url)}\t{TerminalText.Clean(r.Value)}" : $"{TerminalText.Clean(r.Url)}\tERROR: {TerminalText.Clean(r.Error)}");
        }
    }

    /// <summary>One result as a JSON Lines record: url, the title (or selected value), status, error, ms, index, worker.</summary>
    internal static string JsonLine(TaskRecord<PageResult> record, PageQuery query)
    {
        var r = record.Result;
        return JsonLines.Format(json =>
        {
            json.WriteString("url", r.Url);
            json.WriteNullableString(query.ValueName, r.Value);
            if (r.Status is { } status)
            {
                json.WriteNumber("status", status);
            }
            else
            {
                json.WriteNull("status");
            }

            json.WriteNullableString("error", r.Error);
            json.WriteNumber("ms", Math.Round(r.Elapsed.TotalMilliseconds, 1));
            json.WriteNumber("index", record.Index);
            json.WriteString("worker", record.Lane);
        });
    }
}
