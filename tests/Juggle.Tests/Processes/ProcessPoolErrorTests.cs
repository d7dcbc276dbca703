namespace Juggle.Tests;

/// <summary>
/// What cannot cross between the parent and a worker fails its own future with a clear error, and the worker stays
/// healthy: results the parent cannot read back, exceptions whose members throw, values over the JSON or message limits.
/// </summary>
public sealed class ProcessPoolErrorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_result_whose_setter_throws_fails_its_future_and_the_worker_stays()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var future = pool.Submit(ProcessPoolFunctions.MakeTouchy, 5);
        Assert.True(future.TryWait(Patience), "the future was left running");
        var ex = Assert.IsType<InvalidOperationException>(future.GetException(TimeSpan.Zero));
        Assert.Contains("could not be read back", ex.Message);
        Assert.Contains("TouchyResult refuses 5", ex.Message);
        Assert.IsType<InvalidDataException>(ex.InnerException);

        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void Map_items_whose_result_setter_throws_fail_alone()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var outcomes = pool.MapOutcomes(ProcessPoolFunctions.MakeTouchy, [1, 2, 3], chunkSize: 3, timeout: Patience).ToList();
        Assert.Equal(3, outcomes.Count);
        Assert.All(outcomes, o => Assert.IsType<InvalidDataException>(Assert.IsType<InvalidOperationException>(o.Exception).InnerException));
        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void An_exception_whose_Message_or_StackTrace_getter_throws_comes_back_as_an_error()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var message = Assert.IsType<RemoteException>(pool.Submit(ProcessPoolFunctions.ThrowWithBrokenMessage, 1).GetException(Patience));
        Assert.Equal(typeof(BrokenMessageException).FullName, message.RemoteType);
        Assert.Contains("could not be read", message.RemoteMessage);

        var stack = Assert.IsType<RemoteException>(pool.Submit(ProcessPoolFunctions.ThrowWithBrokenStackTrace, 1).GetException(Patience));
        Assert.Equal("stack trace unavailable", stack.RemoteMessage);
        Assert.Contains("could not be read", stack.RemoteStackTrace);

        var chunk = pool.MapOutcomes(ProcessPoolFunctions.ThrowWithBrokenMessage, [1, 2], chunkSize: 2, timeout: Patience).ToList();
        Assert.All(chunk, o => Assert.Equal(typeof(BrokenMessageException).FullName, Assert.IsType<RemoteException>(o.Exception).RemoteType));

        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void A_string_result_over_the_JSON_limit_says_it_could_not_cross_and_names_the_limit()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var ex = pool.Submit(ProcessPoolFunctions.HugeString, 170_000_000).GetException(Patience);
        Assert.NotNull(ex);
        Assert.Contains("could not be sent back to the parent process", ex.Message);
        Assert.Contains("166,666,666 characters", ex.Message);
        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void A_result_over_the_message_limit_says_so_instead_of_blaming_a_signal()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { MaxFrameSize = 1 << 20 };
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var ex = Assert.IsType<InvalidOperationException>(pool.Submit(ProcessPoolFunctions.MakeBytes, 2 << 20).GetException(Patience));
        Assert.Contains("could not be sent back to the parent process", ex.Message);
        Assert.Contains("1 MiB limit", ex.Message);
        Assert.DoesNotContain("signal", ex.Message);

        var chunk = Assert.Throws<InvalidOperationException>(() => pool.Map(ProcessPoolFunctions.MakeBytes, [400_000, 400_000, 400_000], chunkSize: 3, timeout: Patience).ToList());
        Assert.Contains("smaller chunkSize", chunk.Message);

        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void An_error_over_the_message_limit_still_comes_back_as_the_error_cut_short()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { MaxFrameSize = 1 << 20 };
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);

        var ex = Assert.IsType<InvalidOperationException>(pool.Submit(ProcessPoolFunctions.ThrowHugeMessage, 2 << 20).GetException(Patience));
        Assert.StartsWith("eeee", ex.Message);
        Assert.Contains("more characters cut", ex.Message);
        Assert.Equal(pid, pool.Submit(ProcessPoolFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void A_string_argument_over_the_JSON_limit_is_refused_at_Submit_naming_the_limit()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var ex = Assert.Throws<ArgumentException>(() => pool.Submit(ProcessPoolFunctions.PrintAndReturn, new string('x', 170_000_000)));
        Assert.Contains("cannot be sent to a worker process", ex.Message);
        Assert.Contains("166,666,666 characters", ex.Message);
        Assert.Equal("arg", ex.ParamName);
        Assert.Equal(0, pool.Progress.Submitted);
    }

    [Fact]
    public void Arguments_over_the_message_limit_are_refused_at_Submit_naming_the_limit()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { MaxFrameSize = 1 << 20 };
        var big = new byte[2 << 20];

        var ex = Assert.Throws<ArgumentException>(() => pool.Submit(ProcessPoolFunctions.Length, big));
        Assert.Contains("1 MiB limit", ex.Message);
        Assert.Equal("arg", ex.ParamName);

        var chunk = Assert.Throws<ArgumentException>(() => pool.Map(ProcessPoolFunctions.Length, [new byte[400_000], new byte[400_000], new byte[400_000]], chunkSize: 3, timeout: Patience).ToList());
        Assert.Contains("smaller chunkSize", chunk.Message);
        Assert.Equal(0, pool.Progress.Submitted);

        // The pool was not disturbed.
        Assert.Equal(3, pool.Submit(ProcessPoolFunctions.Length, new byte[3]).Result(Patience));
    }
}
