using System.Collections.Concurrent;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// Sends items in batches without a thread of its own: the thread that adds an item sends everything queued unless
/// another thread is sending already, which then sends it in its next batch before it leaves. Items added while a
/// batch is on its way travel together in the next one.
/// </summary>
internal sealed class Combiner<T>(Action<List<T>> send)
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly Lock _sending = new();

    /// <summary>Queues <paramref name="item"/>; returns once it is sent, or once the thread sending now is sure to send it.</summary>
    public void Add(T item)
    {
        _queue.Enqueue(item);
        Send();
    }

    /// <summary>Queues several items, to travel together (see <see cref="Add"/>).</summary>
    public void AddRange(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            _queue.Enqueue(item);
        }

        Send();
    }

    private void Send()
    {
        // Whoever leaves the lock looks again, so an item queued while the lock was held is never stranded.
        while (!_queue.IsEmpty && _sending.TryEnter())
        {
            try
            {
                var batch = new List<T>();
                while (_queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count > 0)
                {
                    send(batch);
                }
            }
            finally
            {
                _sending.Exit();
            }
        }
    }
}
