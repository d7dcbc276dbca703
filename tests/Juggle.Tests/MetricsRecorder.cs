using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Juggle.Tests;

/// <summary>Listens to the <c>Juggle</c> meter and keeps the measurements tagged with one executor's name.</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, string? Outcome)> _measurements = new();
    private readonly ConcurrentDictionary<string, byte> _instruments = new();
    private string? _executorName;

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Executor.MeterName)
            {
                _instruments.TryAdd(instrument.Name, 0);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The instruments seen on the meter.</summary>
    public ICollection<string> Instruments => _instruments.Keys;

    /// <summary>Only measurements tagged <c>juggle.executor = name</c> are kept (tests run in parallel).</summary>
    public void Track(string executorName) => _executorName = executorName;

    public long Sum(string instrument, string? outcome = null) =>
        _measurements.Where(m => m.Instrument == instrument && (outcome is null || m.Outcome == outcome)).Sum(m => m.Value);

    /// <summary>The highest running total of an up-down counter, in measurement order.</summary>
    public long PeakOf(string instrument)
    {
        long total = 0, peak = 0;
        foreach (var m in _measurements.Where(m => m.Instrument == instrument))
        {
            total += m.Value;
            peak = Math.Max(peak, total);
        }

        return peak;
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? executor = null, outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "juggle.executor")
            {
                executor = tag.Value as string;
            }
            else if (tag.Key == "juggle.outcome")
            {
                outcome = tag.Value as string;
            }
        }

        if (executor is not null && executor == _executorName)
        {
            _measurements.Enqueue((instrument.Name, value, outcome));
        }
    }
}
