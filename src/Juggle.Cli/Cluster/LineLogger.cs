using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Juggle.Cli.Cluster;

/// <summary>One line per log entry on the given writer (stderr): what a worker node does, timestamped.</summary>
internal sealed class LineLogger(TextWriter writer, LogLevel minimum) : ILogger
{
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Warning => "warn",
            LogLevel.Error or LogLevel.Critical => "error",
            LogLevel.Debug or LogLevel.Trace => "debug",
            _ => "info",
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {level} {formatter(state, exception)}{(exception is null ? string.Empty : " (" + exception.Message + ")")}");
        lock (_lock)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
