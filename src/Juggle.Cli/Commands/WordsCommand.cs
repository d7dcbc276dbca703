using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Juggle.Cli.Downloads;
using Juggle.Cli.Http;
using Juggle.Cli.Reporting;
using Juggle.Cli.Running;
using Juggle.Cli.Workloads;
using Spectre.Console;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle words</c>: seed 004's pipeline. Downloads URLs (I/O: many workers), saves them, then tokenizes and
/// counts words in parallel (CPU: one worker per core), and prints the top words and totals.
/// </summary>
internal sealed class WordsCommand(CliEnvironment env, WordsCommand.Settings settings)
{
    internal sealed record Settings(IReadOnlyList<string> Inputs, int Top, string? SaveDirectory, string Pattern, RunSettings Run);

    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Count words in files, folders and downloaded URLs (seed 004): top N words and totals";

    public static Command Create(CliEnvironment env)
    {
        var common = new CommonOptions($"{RunSettings.DefaultWordsDownloadWorkers} for downloads, one per core for counting");
        var inputs = new Argument<string[]>("FILE|DIR|URL") { Description = "Text files, folders (searched recursively) or http(s) URLs", Arity = ArgumentArity.OneOrMore };
        var top = OptionRules.Int("--top", "How many of the most frequent words to show (1 to 10000)", 1, 10_000, 20, 10, "-n");
        var save = new Option<string?>("--save") { Description = "Keep downloaded texts in DIR (default: a temporary folder, removed afterwards)", HelpName = "DIR" };
        var pattern = new Option<string>("--pattern") { Description = "File name pattern inside folders (* and ? wildcards)", DefaultValueFactory = _ => "*.txt" };
        pattern.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is var value && (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(['/', '\\']) >= 0))
            {
                r.AddError($"--pattern '{value}' is not a file name pattern: give one without folders, e.g. --pattern '*.md'.");
            }
        });
        var command = new Command("words", Summary) { inputs, top, save, pattern };
        common.AddTo(command);
        var broker = BrokerOption.AddTo(command, common.Mode);
        command.SetAction((result, token) => Task.Run(
            () => new WordsCommand(env, new Settings(result.GetValue(inputs) ?? [], result.GetValue(top), result.GetValue(save), result.GetValue(pattern)!, common.Read(result) with { Broker = result.GetValue(broker) })).Run(token),
            CancellationToken.None));
        return command;
    }

    public int Run(CancellationToken cancellationToken)
    {
        var run = settings.Run;
        using var dashboard = RunDashboard.Start(run, env.Error);
        var total = Stopwatch.StartNew();
        var urls = settings.Inputs.Where(IsUrl).ToList();
        var results = new List<FileCount>();
        var files = new List<WordsFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in settings.Inputs.Where(i => !IsUrl(i)))
        {
            if (Directory.Exists(input))
            {
                var (before, failuresBefore) = (files.Count, results.Count);
                TextFileFinder.Find(input, settings.Pattern, files, results, seen);
                if (files.Count == before && results.Count == failuresBefore)
                {
                    results.Add(FileCount.Failed(input, $"no {settings.Pattern} files in folder (searched with its subfolders; --pattern to look for others)"));
                }
            }
            else if (File.Exists(input))
            {
                // Named on the command line: read whatever it is (a pipe from <(...) too), streamed.
                if (seen.Add(Path.GetFullPath(input)))
                {
                    files.Add(new WordsFile(input, input));
                }
            }
            else
            {
                results.Add(FileCount.Failed(input, Missing(input)));
            }
        }

        var temp = urls.Count > 0 && settings.SaveDirectory is null ? Directory.CreateTempSubdirectory("juggle-words-").FullName : null;
        if (urls.Count > 0 && settings.SaveDirectory is { } save)
        {
            try
            {
                Directory.CreateDirectory(save);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new UsageException($"--save '{save}': cannot use it as a folder: {ex.Message}", ex);
            }
        }

        try
        {
            var downloadTime = TimeSpan.Zero;
            if (urls.Count > 0)
            {
                var watch = Stopwatch.StartNew();
                var http = new HttpSettings { Timeout = run.Timeout, Retries = run.Retries };
                using var client = HttpFactory.CreateClient(env, http);
                var downloader = new Downloader(client, new Retrier(http), http, settings.SaveDirectory ?? temp!, force: true);
                var ioMode = run.Mode is RunMode.Sequential or RunMode.Async ? run.Mode : RunMode.Threads;
                var io = new ModeRunner(ioMode, run.Workers > 0 ? run.Workers : RunSettings.DefaultWordsDownloadWorkers, run.Rate);
                foreach (var record in io.Run(urls, downloader.Download, downloader.DownloadAsync, asCompleted: false, cancellationToken, onError: static (url, ex) => new DownloadResult(url, null, null, 0, false, $"unexpected error: {ex.Message} ({ex.GetType().Name})", TimeSpan.Zero)))
                {
                    var d = record.Result;
                    if (d.Succeeded && d.Path is not null)
                    {
                        files.Add(new WordsFile(d.Url, d.Path));
                    }
                    else
                    {
                        results.Add(FileCount.Failed(d.Url, d.Error ?? "download failed", d.Elapsed.TotalMilliseconds));
                    }
                }

                downloadTime = watch.Elapsed;
            }

            // Tokenizing is CPU work: one worker per core; --mode processes uses Juggle's ProcessPoolExecutor,
            // --mode cluster the worker nodes of a broker (RabbitMqExecutor), which read the files by path.
            var countWatch = Stopwatch.StartNew();
            var cpu = new ModeRunner(run.Mode, run.CpuWorkers, rate: null, run.Broker) { Notices = env.Error };
            foreach (var record in cpu.Run(files, (f, _) => FileCount.Of(f), (f, _) => Task.Run(() => FileCount.Of(f), cancellationToken), asCompleted: false, cancellationToken, FileCount.Of, static (f, ex) => FileCount.Failed(f.Source, $"unexpected error: {ex.Message} ({ex.GetType().Name})")))
            {
                results.Add(record.Result);
            }

            var countTime = countWatch.Elapsed;
            var merged = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var r in results.Where(r => r.Counts is not null))
            {
                WordCounter.Merge(merged, r.Counts!);
            }

            Report(results, merged, downloadTime, countTime, total.Elapsed, cpu);
            return results.Any(r => r.Error is not null) ? ExitCodes.SomeFailed : ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            env.Error.WriteLine("interrupted.");
            return ExitCodes.Interrupted;
        }
        finally
        {
            if (temp is not null)
            {
                try
                {
                    Directory.Delete(temp, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The counts are what the user asked for; a leftover temporary folder only deserves a note.
                    env.Error.WriteLine($"note: could not remove the temporary folder '{temp}': {TerminalText.Clean(ex.Message)}");
                }
            }
        }
    }

    /// <summary>Why <paramref name="input"/>, neither a file nor a folder, can't be counted.</summary>
    private static string Missing(string input)
    {
        if (Uri.TryCreate(input, UriKind.Absolute, out var uri) && !uri.IsFile && !uri.IsUnc)
        {
            return $"unsupported URL scheme '{uri.Scheme}' (only http and https)";
        }

        try
        {
            if (new FileInfo(input).LinkTarget is { } target)
            {
                return $"broken symbolic link to '{target}'";
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"cannot read: {ex.Message}";
        }

        return "does not exist (not a file, folder or http(s) URL)";
    }

    private static bool IsUrl(string input) => HttpUrl.TryParse(input, out _);

    private void Report(List<FileCount> results, Dictionary<string, int> merged, TimeSpan download, TimeSpan count, TimeSpan total, ModeRunner cpu)
    {
        var totalWords = merged.Values.Sum(v => (long)v);
        var top = WordCounter.Top(merged, settings.Top);
        var okFiles = results.Count(r => r.Error is null);
        var bytes = results.Sum(r => r.Bytes);
        var c = CultureInfo.InvariantCulture;
        if (settings.Run.Json)
        {
            foreach (var r in results)
            {
                env.Out.WriteLine(JsonLines.Format(json =>
                {
                    json.WriteString("source", r.Source);
                    json.WriteNullableString("file", r.File);
                    json.WriteNumber("words", r.Counts?.Values.Sum(v => (long)v) ?? 0);
                    json.WriteNumber("distinct", r.Counts?.Count ?? 0);
                    json.WriteNumber("bytes", r.Bytes);
                    json.WriteNullableString("error", r.Error);
                    json.WriteNumber("ms", Math.Round(r.Milliseconds, 1));
                }));
            }

            env.Out.WriteLine(JsonLines.Format(json =>
            {
                json.WriteBoolean("summary", true);
                json.WriteNumber("files", okFiles);
                json.WriteNumber("words", totalWords);
                json.WriteNumber("distinct", merged.Count);
                json.WriteStartArray("top");
                foreach (var (word, n) in top)
                {
                    json.WriteStartObject();
                    json.WriteString("word", word);
                    json.WriteNumber("count", n);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }));
            return;
        }

        foreach (var r in results.Where(r => r.Error is not null))
        {
            env.Out.WriteLine($"ERROR {TerminalText.Clean(r.Source)}: {TerminalText.Clean(r.Error)}");
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"top {top.Count} words")
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("word").AddColumn(new TableColumn("count").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        for (var i = 0; i < top.Count; i++)
        {
            table.AddRow((i + 1).ToString(c), Markup.Escape(top[i].Key), top[i].Value.ToString("N0", c), totalWords == 0 ? "-" : (top[i].Value / (double)totalWords).ToString("0.0%", c));
        }

        env.Console.Write(table);
        env.Console.WriteLine(string.Create(c,
            $"{okFiles} files, {bytes / 1024.0 / 1024.0:0.0} MB: {totalWords:N0} words, {merged.Count:N0} distinct. Download {Speed.Seconds(download)}, count {Speed.Seconds(count)} ({cpu.Mode.ToString().ToLowerInvariant()}, {cpu.Workers} workers), total {Speed.Seconds(total)}."));
    }
}
