namespace Juggle.Tests;

/// <summary>Clocks for executors' TimeProvider, so task durations are decided by the test, not the machine.</summary>
internal static class TestClocks
{
    /// <summary>A clock that never moves: every task lasts 0 ticks.</summary>
    internal sealed class Frozen : TimeProvider
    {
        public override long GetTimestamp() => 1;
    }

    /// <summary>A clock that moves a second at every reading: every task lasts at least a second.</summary>
    internal sealed class Jumping : TimeProvider
    {
        private long _now;

        public override long GetTimestamp() => Interlocked.Add(ref _now, TimestampFrequency);
    }

    /// <summary>A clock that stands still until the test moves it with <see cref="Advance"/>.</summary>
    internal sealed class Manual : TimeProvider
    {
        private long _now = 1;

        public override long GetTimestamp() => Volatile.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * TimestampFrequency));
    }
}
