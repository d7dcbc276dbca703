using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Juggle.Tests;

/// <summary>Process-pool specifics: crashes, kills, timeouts, recycling, validation, exceptions, big payloads.</summary>
public sealed class ProcessPoolExecutorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Runs_tasks_in_other_processes()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Contains(pid, pool.GetWorkerProcessIds());
        Assert.Equal(49, pool.Submit(ProcessPoolFunctions.Square, 7).Result(Patience));
        Assert.Equal((pid, 5), pool.Submit(ProcessPoolFunctions.PidAndValue, 5).Result(Patience) is var r && r.Pid == pid ? (pid, r.Value) : (0, 0));
    }

    [Fact]
    public void FailFast_fails_only_its_task_and_a_fresh_worker_replaces_it()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var before = Enumerable.Range(0, 6).Select(i => pool.Submit(ProcessPoolFunctions.Square, i)).ToList();
        var crash = pool.Submit(ProcessPoolFunctions.CrashWithFailFast, 1);
        var after = Enumerable.Range(6, 6).Select(i => pool.Submit(ProcessPoolFunctions.Square, i)).ToList();

        var ex = Assert.IsType<WorkerCrashedException>(crash.GetException(Patience));
        Assert.NotEqual(0, ex.ProcessId);
        Assert.Equal(6, ex.Signal); // SIGABRT
        Assert.Equal(134, ex.ExitCode);
        Assert.Contains("signal 6", ex.Message);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * i), before.Concat(after).Select(f => f.Result(Patience)));
        Assert.True(WaitGone(ex.ProcessId));
        Assert.DoesNotContain(ex.ProcessId, pool.GetWorkerProcessIds());
        Assert.Equal(1, pool.Progress.Failed);
    }

    [Fact]
    public void Kill_9_from_outside_fails_the_running_task_with_the_signal()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        var victim = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience));
        var queued = pool.Submit(ProcessPoolFunctions.Square, 9);
        var pid = pool.GetWorkerProcessIds().Single();

        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL
        }

        var ex = Assert.IsType<WorkerCrashedException>(victim.GetException(Patience));
        Assert.Equal(9, ex.Signal);
        Assert.Equal(pid, ex.ProcessId);
        Assert.Equal(81, queued.Result(Patience));
        Assert.NotEqual(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void Stack_overflow_and_Environment_Exit_crash_only_their_tasks()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var overflow = pool.Submit(ProcessPoolFunctions.Recurse, 0);
        var exit = pool.Submit(ProcessPoolFunctions.ExitWith, 7);
        var fine = pool.Submit(ProcessPoolFunctions.Square, 4);

        Assert.IsType<WorkerCrashedException>(overflow.GetException(Patience));
        var exited = Assert.IsType<WorkerCrashedException>(exit.GetException(Patience));
        Assert.Equal(7, exited.ExitCode);
        Assert.Null(exited.Signal);
        Assert.Equal(16, fine.Result(Patience));
        Assert.Equal(25, pool.Submit(ProcessPoolFunctions.Square, 5).Result(Patience));
    }

    [Fact]
    public void TaskTimeout_kills_the_worker_and_fails_only_that_task()
    {
        // The timeout runs on the executor's clock: a fake one that moves only when the test says, so a task that is
        // merely slow on a loaded machine never times out, and the stuck one times out exactly when the clock passes it.
        var clock = new FakeTimeProvider();
        using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = 2, TaskTimeout = TimeSpan.FromMilliseconds(500), TimeProvider = clock });
        var stuck = pool.Submit(ProcessPoolFunctions.SpinForever, 1);
        Assert.True(SpinWait.SpinUntil(() => stuck.Running, Patience), "the stuck task never started");
        var fine = Enumerable.Range(0, 4).Select(i => pool.Submit(ProcessPoolFunctions.Square, i)).ToList();
        Assert.Equal([0, 1, 4, 9], fine.Select(f => f.Result(Patience)));

        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(stuck.Done, "timed out before its timeout");
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var ex = Assert.IsType<TimeoutException>(stuck.GetException(Patience));
        Assert.Contains("task timeout", ex.Message);
        Assert.Equal(100, pool.Submit(ProcessPoolFunctions.Square, 10).Result(Patience));
        Assert.Equal(1, pool.Progress.Failed);
    }

    [Fact]
    public void Cancel_on_a_running_synchronous_task_kills_its_worker_and_cancels_only_that_task()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var spinning = pool.Submit(ProcessPoolFunctions.SpinForever, 3);
        Assert.True(SpinWait.SpinUntil(() => spinning.Running, Patience));
        var pid = pool.GetWorkerProcessIds().Single();
        var queued = pool.Submit(ProcessPoolFunctions.Square, 12);

        Assert.False(spinning.Cancel(), "a running task is not cancelled synchronously");
        Assert.True(spinning.TryWait(Patience));
        Assert.True(spinning.Cancelled);
        Assert.Throws<OperationCanceledException>(() => spinning.Result(TimeSpan.Zero));
        Assert.True(WaitGone(pid), "the cancelled task's worker still runs");
        Assert.Equal(144, queued.Result(Patience));
        Assert.Equal(1, pool.Progress.Cancelled);
    }

    [Fact]
    public void Cancel_on_a_running_async_task_kills_its_worker()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var future = pool.Submit(ContractFunctions.WaitForCancellationAsync);
        Assert.True(SpinWait.SpinUntil(() => future.Running, Patience));
        var pid = pool.GetWorkerProcessIds().Single();
        Assert.False(future.Cancel());
        Assert.True(future.TryWait(Patience), "not cancelled");
        Assert.True(future.Cancelled);
        Assert.True(WaitGone(pid), "worker still alive");
        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
    }

    [Fact]
    public void MaxTasksPerChild_recycles_the_worker_after_N_tasks()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: 3);
        var pids = Enumerable.Range(0, 7).Select(i => pool.Submit(ProcessPoolFunctions.PidOf, i).Result(Patience)).ToList();

        Assert.Equal(3, pids.Distinct().Count());
        Assert.All(pids.Take(3), p => Assert.Equal(pids[0], p));
        Assert.All(pids.Skip(3).Take(3), p => Assert.Equal(pids[3], p));
        Assert.NotEqual(pids[0], pids[3]);
        Assert.NotEqual(pids[3], pids[6]);
        Assert.True(WaitGone(pids[0]));
    }

    [Fact]
    public void MaxTasksPerChild_counts_Map_chunks_and_keeps_order()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2, maxTasksPerChild: 2);
        var results = pool.Map(ProcessPoolFunctions.Square, Enumerable.Range(0, 40), chunkSize: 3).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * i), results);
    }

    [Fact]
    public void A_failing_initializer_breaks_the_pool()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2, initializer: ProcessPoolFunctions.FailingInitializer);
        var future = pool.Submit(ProcessPoolFunctions.Square, 2);

        var ex = Assert.IsType<BrokenExecutorException>(future.GetException(Patience));
        Assert.Contains("initializer says no", ex.Message);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.True(pool.IsBroken);
        Assert.Throws<BrokenExecutorException>(() => pool.Submit(ProcessPoolFunctions.Square, 3));
        pool.Shutdown();
        Assert.Empty(pool.GetWorkerProcessIds());
    }

    [Fact]
    public void The_initializer_runs_in_each_worker_before_its_tasks()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1, initializer: ProcessPoolFunctions.SettingInitializer);
        Assert.Equal("initialised", pool.Submit(ProcessPoolFunctions.ReadInitialised).Result(Patience));
    }

    [Fact]
    public void Closures_and_instance_methods_are_rejected_at_Submit_naming_the_fix()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var offset = Environment.ProcessId;
        var capturing = Assert.Throws<ArgumentException>(() => pool.Submit((int x) => x + offset, 1));
        Assert.Contains("captures variables", capturing.Message);
        Assert.Contains("static method", capturing.Message);
        Assert.Equal("fn", capturing.ParamName);

        var instance = new Counter();
        var method = Assert.Throws<ArgumentException>(() => pool.Submit(instance.Next));
        Assert.Contains("instance method", method.Message);

        var mapped = Assert.Throws<ArgumentException>(() => pool.Map((int x) => x + offset, [1, 2]).ToList());
        Assert.Contains("static method", mapped.Message);

        Assert.Throws<ArgumentException>(() => new ProcessPoolExecutor(maxWorkers: 1, initializer: () => offset++));
        Assert.Equal(0, pool.Progress.Submitted);
    }

    [Fact]
    public void Non_capturing_lambdas_run_in_workers()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Equal(42, pool.Submit(static (int x) => x + 1, 41).Result(Patience));
        Assert.Equal([2, 4, 6], pool.Map(static (int x) => x * 2, [1, 2, 3]).ToList());
    }

    [Fact]
    public void Arguments_and_results_that_cannot_round_trip_are_rejected_at_Submit()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var noCtor = Assert.Throws<ArgumentException>(() => pool.Submit(TakesNotSerialisable, new NotSerialisable(1, 2)));
        Assert.Contains("NotSerialisable", noCtor.Message);
        Assert.Equal("arg", noCtor.ParamName);

        var stream = Assert.Throws<ArgumentException>(() => pool.Submit(TakesStream, Stream.Null));
        Assert.Contains("Stream", stream.Message);

        var returnsObject = Assert.Throws<ArgumentException>(() => pool.Submit(ReturnsObject));
        Assert.Contains("object", returnsObject.Message);

        var returnsDelegate = Assert.Throws<ArgumentException>(() => pool.Submit(ReturnsDelegate));
        Assert.Contains("delegate", returnsDelegate.Message);

        // A Task-returning method submitted as a plain function (its result would be the Task itself) is rejected.
        Func<int, object> asPlainFunction = ReturnsTaskOf;
        var syncTask = Assert.Throws<ArgumentException>(() => pool.Submit(asPlainFunction, 1));
        Assert.Contains("returns a Task", syncTask.Message);
        Assert.Equal(0, pool.Progress.Submitted);

        // Submitted through an overload that awaits it, the worker awaits it and sends its result.
        Assert.Equal(1, pool.Submit(ReturnsTask).Result(Patience));
    }

    [Fact]
    public void Large_arguments_and_results_cross_the_boundary()
    {
        const int size = 10 * 1024 * 1024;
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var big = ProcessPoolFunctions.MakeBytes(size);
        var length = pool.Submit(ProcessPoolFunctions.Length, big);
        var made = pool.Submit(ProcessPoolFunctions.MakeBytes, size);

        Assert.Equal(size, length.Result(Patience));
        Assert.Equal(big, made.Result(Patience));
    }

    [Fact]
    public void A_task_exception_is_recreated_with_its_type_and_the_remote_stack()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var bcl = Assert.IsType<ArgumentOutOfRangeException>(pool.Submit(ProcessPoolFunctions.ThrowArgument, "amount").GetException(Patience));
        Assert.Contains("amount", bcl.Message);
        Assert.Contains(nameof(ProcessPoolFunctions.ThrowArgument), bcl.StackTrace);
        Assert.Contains(nameof(ProcessPoolFunctions.ThrowArgument), (string)bcl.Data[ProcessPoolExecutor.RemoteStackTraceKey]!);

        var custom = Assert.IsType<ProcessPoolCustomException>(pool.Submit(ProcessPoolFunctions.ThrowCustom, "mine").GetException(Patience));
        Assert.Equal("mine", custom.Message);

        var remote = Assert.IsType<RemoteException>(pool.Submit(ProcessPoolFunctions.ThrowUnrecreatable, "odd").GetException(Patience));
        Assert.Equal(typeof(NoStringCtorException).FullName, remote.RemoteType);
        Assert.Equal("odd", remote.RemoteMessage);
        Assert.Contains(nameof(ProcessPoolFunctions.ThrowUnrecreatable), remote.RemoteStackTrace);
    }

    [Fact]
    public void What_a_task_prints_does_not_corrupt_the_channel()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Equal(["a", "b", "c"], pool.Map(ProcessPoolFunctions.PrintAndReturn, ["a", "b", "c"]).ToList());
    }

    [Fact]
    public void Shutdown_leaves_no_worker_process()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var results = pool.Map(ProcessPoolFunctions.PidOf, Enumerable.Range(0, 20)).ToList();
        var pids = pool.GetWorkerProcessIds();
        Assert.NotEmpty(pids);
        Assert.All(results, pid => Assert.Contains(pid, pids));

        pool.Dispose();
        Assert.Empty(pool.GetWorkerProcessIds());
        Assert.All(pids, pid => Assert.True(IsGone(pid), $"worker {pid} outlived Dispose"));
    }

    [Fact]
    public void Cancelling_a_call_queued_behind_a_short_one_drops_it()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var futures = Enumerable.Range(0, 200).Select(i => pool.Submit(ProcessPoolFunctions.Square, i)).ToList();
        var cancelled = futures.Where((f, i) => i % 3 == 0 && f.Cancel()).ToList();
        pool.Shutdown();

        Assert.All(futures, f => Assert.True(f.Done));
        Assert.All(cancelled, f => Assert.True(f.Cancelled));
        Assert.All(futures.Where(f => !f.Cancelled), f => Assert.Equal((f.Id - 1) * (f.Id - 1), f.Result(TimeSpan.Zero)));
        Assert.Equal(200, pool.Progress.Succeeded + pool.Progress.Cancelled);
    }

    [Fact]
    public void Crashes_mixed_into_many_tasks_never_hang_and_fail_only_their_own_tasks()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var futures = Enumerable.Range(0, 120)
            .Select(i => i % 20 == 7 ? pool.Submit(ProcessPoolFunctions.ExitWith, 3) : pool.Submit(ProcessPoolFunctions.Square, i))
            .ToList();

        Assert.True(Futures.Wait(futures, Patience).NotDone.Count == 0, "some tasks never finished");
        for (var i = 0; i < futures.Count; i++)
        {
            if (i % 20 == 7)
            {
                Assert.Equal(3, Assert.IsType<WorkerCrashedException>(futures[i].GetException(TimeSpan.Zero)).ExitCode);
            }
            else
            {
                Assert.Equal(i * i, futures[i].Result(TimeSpan.Zero));
            }
        }

        Assert.Equal(6, pool.Progress.Failed);
        Assert.Equal(114, pool.Progress.Succeeded);
    }

    [Fact]
    public void A_crash_inside_a_Map_chunk_surfaces_as_WorkerCrashedException_and_the_pool_goes_on()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Assert.Throws<WorkerCrashedException>(() => pool.Map(ProcessPoolFunctions.ExitWith, [0, 0, 5], chunkSize: 3).ToList());
        Assert.Equal([1, 4, 9], pool.Map(ProcessPoolFunctions.Square, [1, 2, 3], chunkSize: 2).ToList());
    }

    [Fact]
    public void A_result_that_fails_to_serialise_fails_only_its_item()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var outcomes = pool.MapOutcomes(ProcessPoolFunctions.ChainOrCycle, Enumerable.Range(0, 6), chunkSize: 6).ToList();

        Assert.Equal([true, false, true, false, true, false], outcomes.Select(o => o.Succeeded));
        Assert.Equal([0, 2, 4], outcomes.Where(o => o.Succeeded).Select(o => o.Value.Value));
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<System.Text.Json.JsonException>(o.Exception));
        Assert.IsType<System.Text.Json.JsonException>(pool.Submit(ProcessPoolFunctions.ChainOrCycle, 1).GetException(Patience));
    }

    private static int TakesNotSerialisable(NotSerialisable value) => value.Sum;

    private static long TakesStream(Stream stream) => stream.Length;

    private static object ReturnsObject() => 1;

    private static Func<int> ReturnsDelegate() => () => 1;

    private static Task<int> ReturnsTask() => Task.FromResult(1);

    private static Task<int> ReturnsTaskOf(int x) => Task.FromResult(x);

    internal static bool WaitGone(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Patience)
        {
            if (IsGone(pid))
            {
                return true;
            }

            Thread.Sleep(10); // polling another process's state; there is no event to wait on
        }

        return false;
    }

    /// <summary>Gone or a zombie (exited, not yet reaped by its parent).</summary>
    internal static bool IsGone(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private sealed class Counter
    {
        private int _value;

        public int Next() => ++_value;
    }
}
