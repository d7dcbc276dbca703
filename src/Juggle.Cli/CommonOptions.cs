using System.CommandLine;
using Juggle.Cli.Running;

namespace Juggle.Cli;

/// <summary>The options shared by the work commands (<c>--mode</c>, <c>--workers</c>, <c>--rate</c>, ...).</summary>
internal sealed class CommonOptions
{
    public Option<RunMode> Mode { get; } = new("--mode", "-m")
    {
        Description = "sequential | threads | async | processes",
        DefaultValueFactory = _ => RunMode.Threads,
    };

    public Option<int> Workers { get; } = new("--workers", "-w")
    {
        Description = "How many items at once (default: 32 for I/O, one per core for CPU work)",
    };

    public Option<double?> Rate { get; } = new("--rate")
    {
        Description = "At most N task starts (requests) per second",
    };

    public Option<int> Retries { get; } = new("--retries")
    {
        Description = "Retries on connection errors, 5xx and 429 (exponential backoff with jitter, honours Retry-After)",
        DefaultValueFactory = _ => 2,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Per-request timeout in seconds",
        DefaultValueFactory = _ => 10,
    };

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

    public CommonOptions()
    {
        Validate(Workers, v => v >= 0, "--workers must be 1 or more.");
        Validate(Rate, v => v is null || (v > 0 && !double.IsInfinity(v.Value)), "--rate must be a positive number of requests per second, e.g. --rate 10.");
        Validate(Retries, v => v is >= 0 and <= 20, "--retries must be between 0 and 20.");
        Validate(Timeout, v => v > 0 && v <= 3600, "--timeout must be a number of seconds between 0 and 3600, e.g. --timeout 5.");
        ValidateOutputFile(Timeline);
        ValidateOutputFile(Trace);
    }

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

    /// <summary>Adds a range check to <paramref name="option"/>; values that don't even parse are reported by the parser.</summary>
    public static void Validate<T>(Option<T> option, Func<T, bool> isValid, string message)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(r =>
        {
            T value;
            try
            {
                value = r.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (!isValid(value))
            {
                r.AddError(message);
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Mode);
        command.Options.Add(Workers);
        command.Options.Add(Rate);
        command.Options.Add(Retries);
        command.Options.Add(Timeout);
        command.Options.Add(Json);
        command.Options.Add(Timeline);
        command.Options.Add(Trace);
    }

    public RunSettings Read(ParseResult result) => new()
    {
        Mode = result.GetValue(Mode),
        Workers = result.GetValue(Workers),
        Rate = result.GetValue(Rate),
        Retries = result.GetValue(Retries),
        Timeout = TimeSpan.FromSeconds(result.GetValue(Timeout)),
        Json = result.GetValue(Json),
        TimelineFile = result.GetValue(Timeline),
        TraceFile = result.GetValue(Trace),
    };
}
