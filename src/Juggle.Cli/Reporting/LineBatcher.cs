using System.Runtime.ExceptionServices;
using System.Text;

namespace Juggle.Cli.Reporting;

/// <summary>
/// Result lines for a pipe or a file, written in batches: a line is held at most <see cref="MaxDelay"/> (or until
/// <see cref="MaxChars"/> are waiting), then everything waiting goes out in one write. A run of 1,000 fast results
/// makes a handful of writes instead of a system call per line, and a slow run still shows each line within the
/// delay. <see cref="Flush"/> (or, last, <see cref="Dispose"/>) writes whatever is left: nothing is lost when a run
/// ends, fails or is stopped by Ctrl+C. A write that fails on the timer (a closed pipe) is thrown by the next call on the
/// run's own thread, as an unbatched write would have thrown.
/// </summary>
internal sealed class LineBatcher : IDisposable
{
    /// <summary>The longest a line waits before it is written.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Waiting text that is written at once, without waiting for the delay.</summary>
    public const int MaxChars = 16 * 1024;

    private readonly TextWriter _target;
    private readonly StringBuilder _pending = new(MaxChars + 1024);
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private bool _armed;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    public LineBatcher(TextWriter target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _timer = new Timer(static state => ((LineBatcher)state!).FlushOnTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Queues <paramref name="line"/> and a line break.</summary>
    public void WriteLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _failure?.Throw();
            _pending.Append(line).Append(_target.NewLine);
            if (_pending.Length >= MaxChars)
            {
                WriteLocked();
            }
            else if (!_armed)
            {
                _armed = true;
                _timer.Change(MaxDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Writes every waiting line now.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _failure?.Throw();
            WriteLocked();
        }
    }

    private void FlushOnTimer()
    {
        lock (_lock)
        {
            if (_disposed || _failure is not null)
            {
                return;
            }

            try
            {
                WriteLocked();
            }
            catch (Exception ex)
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
            }
        }
    }

    /// <summary>
    /// Writes what is left, as a last resort: a run calls <see cref="Flush"/> when it ends, where a failure to write
    /// is reported; here (a run already failing) it is not thrown over the run's own error.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            if (_failure is null)
            {
                try
                {
                    WriteLocked();
                }
                catch (IOException)
                {
                    // The output is gone (a closed pipe); the run's own error, if any, is what gets reported.
                }
            }
        }
    }

    private void WriteLocked()
    {
        _armed = false;
        if (_pending.Length == 0)
        {
            return;
        }

        var text = _pending.ToString();
        _pending.Clear();
        _target.Write(text);
        _target.Flush();
    }
}
