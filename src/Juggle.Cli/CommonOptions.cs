using System.CommandLine;
using Juggle.Cli.Running;

namespace Juggle.Cli;

/// <summary>The options shared by the work commands (<c>--mode</c>, <c>--workers</c>, <c>--rate</c>, ...).</summary>
/// <param name="workersDefault">What <c>--workers</c> is when left out, for this command's help (e.g. "8").</param>
internal sealed class CommonOptions(string workersDefault)
{
    /// <summary>The most workers any mode accepts: beyond this, threads and sockets cost more than they return.</summary>
    public const int MaxWorkers = 1024;

    public Option<RunMode?> Mode { get; } = OptionRules.Choice<RunMode>("--mode", "How to run the items (default: threads)", "-m");

    public Option<int?> Workers { get; } = OptionRules.OptionalInt("--workers", $"How many items at once, 1 to {MaxWorkers} (default: {workersDefault})", 1, MaxWorkers, 8, "-w");

    public Option<double?> Rate { get; } = OptionRules.OptionalNumber("--rate", "At most N task starts (requests) per second, 0.001 to 100000", 0.001, minExclusive: false, 100_000, "10", "task starts per second");

    public Option<int> Retries { get; } = OptionRules.Int("--retries", "Retries on connection errors, 5xx and 429, 0 to 20 (exponential backoff with jitter, honours Retry-After)", 0, 20, 2, 3);

    public Option<double> Timeout { get; } = OptionRules.Number("--timeout", "Per-request timeout in seconds, more than 0 and at most 3600", 0, minExclusive: true, 3600, 10, "5", "seconds");

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "JSON Lines on stdout: one object per item",
    };

    public Option<string?> Timeline { get; } = new("--timeline")
    {
        Description = "Write an SVG Gantt chart (one lane per worker, one bar per task) to FILE",
        HelpName = "FILE",
    };

    public Option<string?> Trace { get; } = new("--trace")
    {
        Description = "Write a Chrome trace-event JSON file (open in Perfetto / chrome://tracing)",
        HelpName = "FILE",
    };

    public Option<int?> Dashboard { get; } = DashboardOption();

    /// <summary>Rejects an output file whose folder does not exist, before any work is done.</summary>
    public static void ValidateOutputFile(Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } path)
            {
                return;
            }

            string? folder;
            try
            {
                folder = Path.GetDirectoryName(Path.GetFullPath(path));
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                r.AddError($"{option.Name} '{path}' is not a valid file path: {ex.Message}");
                return;
            }

            if (folder is null || !Directory.Exists(folder) || Directory.Exists(path))
            {
                r.AddError($"{option.Name} '{path}': {(Directory.Exists(path) ? "that is a folder; give a file name" : $"folder '{folder}' does not exist")}.");
            }
        });
    }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ValidateOutputFile(Timeline);
        ValidateOutputFile(Trace);
        command.Options.Add(Mode);
        command.Options.Add(Workers);
        command.Options.Add(Rate);
        command.Options.Add(Retries);
        command.Options.Add(Timeout);
        command.Options.Add(Json);
        command.Options.Add(Timeline);
        command.Options.Add(Trace);
        command.Options.Add(Dashboard);
    }

    public RunSettings Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var mode = result.GetValue(Mode);
        return new()
        {
            Mode = mode ?? RunMode.Threads,
            ModeGiven = mode is not null,
            Workers = result.GetValue(Workers) ?? 0,
            Rate = result.GetValue(Rate),
            Retries = result.GetValue(Retries),
            Timeout = TimeSpan.FromSeconds(result.GetValue(Timeout)),
            Json = result.GetValue(Json),
            TimelineFile = result.GetValue(Timeline),
            TraceFile = result.GetValue(Trace),
            DashboardPort = result.GetResult(Dashboard) is null ? null : result.GetValue(Dashboard) ?? 0,
        };
    }

    private static Option<int?> DashboardOption()
    {
        var option = OptionRules.OptionalInt("--dashboard", "Serve a live dashboard of the run (task stream, progress, workers, failures) on 127.0.0.1:PORT and print its URL; without PORT, a free port", 0, 65535, 8787);
        option.HelpName = "PORT";
        option.Arity = ArgumentArity.ZeroOrOne;
        return option;
    }
}
