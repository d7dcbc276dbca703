using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Juggle.Cli.Downloads;
using Juggle.Cli.Http;
using Juggle.Cli.Input;
using Juggle.Cli.Reporting;
using Juggle.Cli.Running;
using Spectre.Console;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle download</c>: seeds 001/002's downloaders as a tool. Streams each body to a temporary file in DIR,
/// renames it when complete, skips files that exist unless <c>--force</c>, shows bytes/s per file and overall.
/// </summary>
internal sealed class DownloadCommand(CliEnvironment env, DownloadCommand.Settings settings)
{
    internal sealed record Settings(IReadOnlyList<string> Urls, string? InputFile, string Directory, bool Force, RunSettings Run);

    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Download URLs into a folder: streamed, renamed only when complete, existing files skipped";

    public static Command Create(CliEnvironment env)
    {
        var common = new CommonOptions(RunSettings.DefaultDownloadWorkers.ToString(CultureInfo.InvariantCulture));
        var urls = new Argument<string[]>("URL") { Description = "Files to download", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<string?>("--input", "-i") { Description = "Read URLs from FILE, one per line (- for stdin)", HelpName = "FILE" };
        var output = new Option<string>("--output", "-o") { Description = "Folder to save into (created if missing)", HelpName = "DIR", Required = true };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite files that already exist" };
        var command = new Command("download", Summary) { urls, input, output, force };
        common.AddTo(command);
        command.SetAction((result, token) => Task.Run(
            () => new DownloadCommand(env, new Settings(result.GetValue(urls) ?? [], result.GetValue(input), result.GetValue(output)!, result.GetValue(force), common.Read(result))).Run(token),
            CancellationToken.None));
        return command;
    }

    public int Run(CancellationToken cancellationToken)
    {
        var run = settings.Run;
        using var dashboard = RunDashboard.Start(run, env.Error);
        var lines = UrlSource.Open(settings.Urls, settings.InputFile, () => env.In);
        try
        {
            Directory.CreateDirectory(settings.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"--output '{settings.Directory}': cannot use it as the output folder: {ex.Message}", ex);
        }

        var http = new HttpSettings { Timeout = run.Timeout, Retries = run.Retries };
        using var client = HttpFactory.CreateClient(env, http);
        var retry = new Retrier(http);
        var runner = new ModeRunner(run.Mode, run.Workers > 0 ? run.Workers : RunSettings.DefaultDownloadWorkers, run.Rate);
        var spans = run.TimelineFile is not null || run.TraceFile is not null ? new List<TaskSpan>() : null;
        long ok = 0, skipped = 0, failed = 0, bytes = 0;
        var interrupted = false;
        var watch = Stopwatch.StartNew();

        void Consume(Downloader downloader, Action<TaskRecord<DownloadResult>> onDone)
        {
            try
            {
                var records = runner.Run(
                    lines,
                    (line, token) => line.Error is { } e ? new DownloadResult(line.Text, null, null, 0, false, e, TimeSpan.Zero) : downloader.Download(line.Text, token),
                    (line, token) => line.Error is { } e ? Task.FromResult(new DownloadResult(line.Text, null, null, 0, false, e, TimeSpan.Zero)) : downloader.DownloadAsync(line.Text, token),
                    asCompleted: true,
                    cancellationToken,
                    onError: static (line, ex) => new DownloadResult(line.Text, null, null, 0, false, $"unexpected error: {ex.Message} ({ex.GetType().Name})", TimeSpan.Zero));
                foreach (var record in records)
                {
                    var r = record.Result;
                    if (!r.Succeeded)
                    {
                        failed++;
                    }
                    else if (r.Skipped)
                    {
                        skipped++;
                    }
                    else
                    {
                        ok++;
                        bytes += r.Bytes;
                    }

                    spans?.Add(new TaskSpan(record.Lane, r.Url, record.Start, record.End, r.Succeeded));
                    onDone(record);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }
        }

        if (env.Interactive && !run.Json)
        {
            env.Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .Start(ctx =>
                {
                    var overall = ctx.AddTask("[bold]all files[/]", maxValue: double.MaxValue);
                    overall.IsIndeterminate = true;
                    var tasks = new ConcurrentDictionary<string, ProgressTask>();
                    var downloader = new Downloader(client, retry, http, settings.Directory, settings.Force)
                    {
                        OnProgress = (url, n, total) =>
                        {
                            var task = tasks.GetOrAdd(url, u => ctx.AddTask(Markup.Escape(Shorten(TerminalText.Clean(u))), maxValue: total ?? double.MaxValue));
                            task.IsIndeterminate = total is null;
                            task.Increment(n);
                            overall.Increment(n);
                        },
                    };
                    Consume(downloader, record =>
                    {
                        var r = record.Result;
                        if (tasks.TryGetValue(r.Url, out var task))
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }

                        if (!r.Succeeded)
                        {
                            env.Console.MarkupLineInterpolated($"[red]✗[/] {TerminalText.Clean(r.Url)} [red]{TerminalText.Clean(r.Error)}[/]");
                        }
                        else if (r.Skipped)
                        {
                            env.Console.MarkupLineInterpolated($"[grey]skipped {TerminalText.Clean(r.Path)} (exists; --force to overwrite)[/]");
                        }
                    });
                    overall.IsIndeterminate = false;
                    overall.MaxValue = Math.Max(1, overall.Value);
                    overall.StopTask();
                });
        }
        else
        {
            Consume(new Downloader(client, retry, http, settings.Directory, settings.Force), record => Print(record.Result));
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{ok} saved ({Bytes(bytes)}), {skipped} skipped, {failed} failed in {Speed.Seconds(watch.Elapsed)} ({runner.Mode.ToString().ToLowerInvariant()}, {runner.Workers} workers){(interrupted ? " — interrupted; no partial files left" : "")}");
        if (env.Interactive && !run.Json)
        {
            env.Console.MarkupLineInterpolated($"[bold]{summary}[/]");
        }
        else
        {
            env.Error.WriteLine(summary);
        }

        if (spans is not null)
        {
            foreach (var path in ChromeTrace.WriteRequested(run.TimelineFile, run.TraceFile, spans, "juggle download"))
            {
                env.Error.WriteLine($"wrote {path}");
            }
        }

        return interrupted ? ExitCodes.Interrupted : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    private void Print(DownloadResult r)
    {
        if (settings.Run.Json)
        {
            env.Out.WriteLine(JsonLines.Format(json =>
            {
                json.WriteString("url", r.Url);
                json.WriteNullableString("file", r.Path);
                if (r.Status is { } s)
                {
                    json.WriteNumber("status", s);
                }
                else
                {
                    json.WriteNull("status");
                }

                json.WriteNumber("bytes", r.Bytes);
                json.WriteBoolean("skipped", r.Skipped);
                json.WriteNullableString("error", r.Error);
                json.WriteNumber("ms", Math.Round(r.Elapsed.TotalMilliseconds, 1));
            }));
        }
        else if (!r.Succeeded)
        {
            env.Out.WriteLine($"ERROR {TerminalText.Clean(r.Url)}: {TerminalText.Clean(r.Error)}");
        }
        else if (r.Skipped)
        {
            env.Out.WriteLine($"skipped {TerminalText.Clean(r.Path)} (exists; --force to overwrite)");
        }
        else
        {
            var rate = r.Elapsed.TotalSeconds > 0 ? r.Bytes / r.Elapsed.TotalSeconds : 0;
            env.Out.WriteLine($"saved {TerminalText.Clean(r.Path)} ({Bytes(r.Bytes)} in {Speed.Seconds(r.Elapsed)}, {Bytes((long)rate)}/s)");
        }
    }

    private static string Bytes(long n) => n switch
    {
        >= 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{n / (double)(1 << 30):0.0} GB"),
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{n / (double)(1 << 20):0.0} MB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{n} B"),
    };

    private static string Shorten(string url) => url.Length <= 60 ? url : "…" + url[^59..];
}
