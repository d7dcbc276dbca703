using Juggle.Internal;

namespace Juggle.Tests.Internal;

/// <summary>
/// Worker threads started with <c>pthread_create</c> on Linux, and as <see cref="Thread"/>s where that is off: both
/// run a fan-out that needs every thread at once. One class, so no other test turns the switch while these run.
/// </summary>
public sealed class NativeThreadStartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void On_Linux_a_started_thread_is_a_background_thread_of_its_own_and_is_counted()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            // Elsewhere every worker is a Thread.
            Assert.False(NativeThreadStart.TryStart(() => { }));
            return;
        }

        Assert.True(NativeThreadStart.Enabled, $"neither {NativeThreadStart.Variable} nor a default stack size may be set for this test");
        var before = NativeThreadStart.Started;
        var ran = new TaskCompletionSource<(int Id, bool Background)>(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(NativeThreadStart.TryStart(() =>
            ran.SetResult((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsBackground))));

        Assert.True(ran.Task.Wait(Timeout), "the body did not run");
        Assert.NotEqual(Environment.CurrentManagedThreadId, ran.Task.Result.Id);
        Assert.True(ran.Task.Result.Background);
        Assert.True(NativeThreadStart.Started > before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_fan_out_gets_every_worker_at_once_either_way(bool native)
    {
        var was = NativeThreadStart.Enabled;
        NativeThreadStart.Enabled = native && was;
        try
        {
            const int Workers = 24;
            using var barrier = new Barrier(Workers);
            using var pool = new ThreadPoolExecutor(Workers, threadNamePrefix: "fan");
            var futures = Enumerable.Range(0, Workers).Select(_ => pool.Submit(() =>
            {
                // Each task waits for all the others: this only returns if Workers threads run at once.
                Assert.True(barrier.SignalAndWait(Timeout), "not every worker thread started");
                return (Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, Thread.CurrentThread.IsBackground);
            })).ToList();

            var seen = futures.Select(f => f.Result(Timeout)).ToList();
            Assert.Equal(Workers, seen.Select(s => s.CurrentManagedThreadId).Distinct().Count());
            Assert.All(seen, s => Assert.StartsWith("fan_", s.Name, StringComparison.Ordinal));
            Assert.All(seen, s => Assert.True(s.IsBackground));
        }
        finally
        {
            NativeThreadStart.Enabled = was;
        }
    }

    [Theory]
    [InlineData(true, null, null, null, null, true)]
    [InlineData(false, null, null, null, null, false)]
    [InlineData(true, "managed", null, null, null, false)]
    [InlineData(true, "native", null, null, null, true)]
    [InlineData(true, null, "0x400000", null, null, false)]
    [InlineData(true, null, null, "400000", null, false)]
    [InlineData(true, null, null, null, "4194304", false)]
    public void Threads_are_managed_elsewhere_when_asked_and_when_the_app_sets_a_stack_size(
        bool linux64, string? variable, string? dotnetStack, string? complusStack, string? setting, bool expected)
    {
        var environment = new Dictionary<string, string?>
        {
            [NativeThreadStart.Variable] = variable,
            ["DOTNET_DefaultStackSize"] = dotnetStack,
            ["COMPlus_DefaultStackSize"] = complusStack,
        };

        Assert.Equal(expected, NativeThreadStart.EnabledFor(linux64, name => environment.GetValueOrDefault(name), setting));
    }

    [Fact]
    public void Switched_off_it_starts_nothing()
    {
        var was = NativeThreadStart.Enabled;
        NativeThreadStart.Enabled = false;
        try
        {
            Assert.False(NativeThreadStart.TryStart(() => throw new InvalidOperationException("must not run")));
        }
        finally
        {
            NativeThreadStart.Enabled = was;
        }
    }
}
