using System.Text;

namespace Juggle.Remoting;

/// <summary>
/// A worker's <see cref="Console.Out"/>: what the user's code prints travels to the parent as Output frames (the
/// worker's real stdout carries the frames), which the parent writes to its own standard output. Text is sent in whole
/// lines while a task runs (so lines of different workers never mix mid-line), everything left is sent before the
/// task's answer (so the parent prints it before the future completes), and a line printed by another thread while no
/// task is being answered goes out at once.
/// </summary>
internal sealed class OutputChannel : TextWriter
{
    /// <summary>Stream number of standard output in an Output frame.</summary>
    public const byte StandardOutput = 1;

    /// <summary>Buffered text is sent once this long, in whole lines.</summary>
    private const int SendAt = 8 * 1024;

    /// <summary>The most characters per Output frame (at most 3 bytes each in UTF-8: far below any frame limit).</summary>
    private const int MaxCharsPerFrame = 256 * 1024;

    private readonly Action<byte[], bool> _send;
    private readonly int _taskThread;
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    /// <param name="send">Writes one frame body to the channel; the flag asks for a flush.</param>
    /// <param name="taskThread">The thread running tasks: its text waits for the answer; other threads' text goes out at once.</param>
    /// <remarks>
    /// No format provider is passed: like the console's own writer, this one formats with the current culture (what
    /// the user's code expects), read when something is first formatted. Naming a culture here would load the
    /// globalization library (ICU) in every worker at start-up, ~15 ms of CPU before its first answer.
    /// </remarks>
    public OutputChannel(Action<byte[], bool> send, int taskThread)
    {
        _send = send;
        _taskThread = taskThread;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
            if (value == '\n')
            {
                AfterLine();
            }
        }
    }

    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Write(value.AsSpan());
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            _text.Append(buffer);
            if (buffer.Contains('\n'))
            {
                AfterLine();
            }
        }
    }

    public override void WriteLine()
    {
        lock (_lock)
        {
            _text.Append(CoreNewLine);
            AfterLine();
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _text.Append(value).Append(CoreNewLine);
            AfterLine();
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            _text.Append(buffer).Append(CoreNewLine);
            AfterLine();
        }
    }

    /// <summary>The user flushed: send everything, partial line included, and push it to the parent.</summary>
    public override void Flush()
    {
        lock (_lock)
        {
            Send(_text.Length, flush: true);
        }
    }

    /// <summary>Before a task's answer: everything the task printed goes first (the host flushes after the answer).</summary>
    public void Drain()
    {
        lock (_lock)
        {
            Send(_text.Length, flush: false);
        }
    }

    private void AfterLine()
    {
        if (Environment.CurrentManagedThreadId != _taskThread)
        {
            Send(WholeLines(), flush: true);
        }
        else if (_text.Length >= SendAt)
        {
            Send(WholeLines(), flush: false);
        }
    }

    private int WholeLines()
    {
        for (var i = _text.Length - 1; i >= 0; i--)
        {
            if (_text[i] == '\n')
            {
                return i + 1;
            }
        }

        return 0;
    }

    private void Send(int count, bool flush)
    {
        var sent = 0;
        while (sent < count)
        {
            var take = Math.Min(MaxCharsPerFrame, count - sent);
            if (sent + take < count && char.IsHighSurrogate(_text[sent + take - 1]))
            {
                take--; // never split a surrogate pair between frames
            }

            var text = _text.ToString(sent, take);
            var body = new byte[2 + Encoding.UTF8.GetByteCount(text)];
            body[0] = (byte)MessageKind.Output;
            body[1] = StandardOutput;
            Encoding.UTF8.GetBytes(text, body.AsSpan(2));
            sent += take;
            Deliver(body, flush && sent == count);
        }

        _text.Remove(0, count);
        if (count == 0 && flush)
        {
            Deliver([], true);
        }
    }

    private void Deliver(byte[] body, bool flush)
    {
        try
        {
            _send(body, flush);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The parent is gone (the worker exits at once): printing must not fail the user's code meanwhile.
        }
    }
}
