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
        Workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--workers must be 1 or more.");
            }
        });
        Rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } v && (!(v > 0) || double.IsInfinity(v)))
            {
                r.AddError("--rate must be a positive number of requests per second, e.g. --rate 10.");
            }
        });
        Retries.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 20)
            {
                r.AddError("--retries must be between 0 and 20.");
            }
        });
        Timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is var v && (!(v > 0) || v > 3600))
            {
                r.AddError("--timeout must be a number of seconds between 0 and 3600, e.g. --timeout 5.");
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
