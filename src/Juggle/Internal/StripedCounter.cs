namespace Juggle.Internal;

/// <summary>
/// A counter split into per-processor cells on separate cache lines, so workers on different cores don't contend
/// on every task. Reads sum the cells (a moment's snapshot, good enough for progress and metrics).
/// </summary>
internal sealed class StripedCounter
{
    // 16 longs = 128 bytes per cell: also defeats adjacent-line prefetching.
    private const int Stride = 16;
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var cells = 1;
        while (cells < Environment.ProcessorCount)
        {
            cells <<= 1;
        }

        _mask = cells - 1;
        _cells = new long[(cells + 1) * Stride];
    }

    public void Increment() => Interlocked.Increment(ref _cells[Cell()]);

    public void Decrement() => Interlocked.Decrement(ref _cells[Cell()]);

    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = Stride; i < _cells.Length; i += Stride)
            {
                sum += Volatile.Read(ref _cells[i]);
            }

            return sum;
        }
    }

    private int Cell() => ((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride;
}
