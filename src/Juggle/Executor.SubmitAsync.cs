using Juggle.Internal;

namespace Juggle;

/// <summary>
/// Submit for async lambdas without a token, as <see cref="Task.Run(Func{Task})"/> takes them: the returned task is
/// awaited and the future gets its result or exception, never the task itself.
/// </summary>
public abstract partial class Executor
{
    /// <summary>
    /// Schedules async work and completes with its awaited result: <c>Submit(async () => await GetAsync())</c> gives a
    /// <see cref="Future{T}"/> of the value, not of a task. It runs like <see cref="Submit{T}(Func{CancellationToken, Task{T}})"/>,
    /// without a token to observe <see cref="Future.Cancel"/>.
    /// </summary>
    public Future<T> Submit<T>(Func<Task<T>> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncWorkItem<T>(_ => fn(), fn));
    }

    /// <summary>Schedules async work without a result, awaited: the future fails with the task's exception.</summary>
    public Future Submit(Func<Task> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncActionWorkItem(_ => fn(), fn));
    }

    /// <summary>Schedules <c>await fn(arg)</c>; for the process pool, a static async method the worker awaits.</summary>
    public Future<TResult> Submit<TArg, TResult>(Func<TArg, Task<TResult>> fn, TArg arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncWorkItem<TResult>(_ => fn(arg), fn, [arg]));
    }

    /// <summary>Schedules <c>await fn(arg1, arg2)</c>.</summary>
    public Future<TResult> Submit<TArg1, TArg2, TResult>(Func<TArg1, TArg2, Task<TResult>> fn, TArg1 arg1, TArg2 arg2)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncWorkItem<TResult>(_ => fn(arg1, arg2), fn, [arg1, arg2]));
    }

    /// <summary>Schedules <c>await fn(arg1, arg2)</c> for async work without a result.</summary>
    public Future Submit<TArg1, TArg2>(Func<TArg1, TArg2, Task> fn, TArg1 arg1, TArg2 arg2)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncActionWorkItem(_ => fn(arg1, arg2), fn, [arg1, arg2]));
    }

    /// <summary>Schedules <c>await fn(arg)</c> for async work without a result.</summary>
    public Future Submit<TArg>(Func<TArg, Task> fn, TArg arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncActionWorkItem(_ => fn(arg), fn, [arg]));
    }
}
