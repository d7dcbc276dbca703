namespace Juggle.Tests;

/// <summary>
/// User code the process pool calls back — done callbacks, the progress handler — never runs on a worker's reader
/// thread, so one that waits on the same pool cannot stall it.
/// </summary>
public sealed class ProcessPoolCallbackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InnerWait = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_done_callback_that_waits_on_the_same_pool_does_not_hang_it()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        var first = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 2);
        int? inner = null;
        Exception? failure = null;
        using var ran = new ManualResetEventSlim();
        first.AddDoneCallback(_ =>
        {
            try
            {
                inner = pool.Submit(ProcessPoolFunctions.Square, 3).Result(InnerWait);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                ran.Set();
            }
        });

        gate.Release();
        Assert.Equal(2, first.Result(Patience));
        Assert.True(ran.Wait(Patience), "the callback never finished");
        Assert.Null(failure);
        Assert.Equal(9, inner);
    }

    [Fact]
    public void Callbacks_of_one_future_keep_their_order_off_the_reader_thread()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        var future = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 5);
        var order = new List<int>();
        var threads = new HashSet<string?>();
        using var ran = new ManualResetEventSlim();
        for (var i = 0; i < 5; i++)
        {
            var n = i;
            future.AddDoneCallback(_ =>
            {
                order.Add(n);
                threads.Add(Thread.CurrentThread.Name);
            });
        }

        future.AddDoneCallback(_ => ran.Set());
        gate.Release();
        Assert.True(ran.Wait(Patience));
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.DoesNotContain(threads, name => name is not null && name.EndsWith("-reader", StringComparison.Ordinal));
    }

    [Fact]
    public void A_progress_handler_that_waits_on_the_same_pool_does_not_hang_it()
    {
        var handler = new WaitingProgress();
        using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = 1, Progress = handler });
        handler.Pool = pool;

        Assert.Equal(4, pool.Submit(ProcessPoolFunctions.Square, 2).Result(Patience));
        Assert.True(handler.Done.Wait(Patience), "the progress handler never finished");
        Assert.Null(handler.Failure);
        Assert.Equal(9, handler.Inner);
    }

    [Fact]
    public void Shutdown_returns_after_the_callbacks_of_the_last_answers()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        var future = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
        var ran = 0;
        future.AddDoneCallback(_ => Interlocked.Exchange(ref ran, 1));
        gate.Release();
        pool.Dispose();
        Assert.Equal(1, Volatile.Read(ref ran));
    }

    /// <summary>On the first success it sees, submits to the same pool and waits for that result.</summary>
    private sealed class WaitingProgress : IProgress<ExecutorProgress>
    {
        private int _fired;

        public ProcessPoolExecutor? Pool { get; set; }

        public ManualResetEventSlim Done { get; } = new();

        public int? Inner { get; private set; }

        public Exception? Failure { get; private set; }

        public void Report(ExecutorProgress value)
        {
            if (value.Succeeded < 1 || Interlocked.Exchange(ref _fired, 1) == 1)
            {
                return;
            }

            try
            {
                Inner = Pool!.Submit(ProcessPoolFunctions.Square, 3).Result(InnerWait);
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
            finally
            {
                Done.Set();
            }
        }
    }
}
