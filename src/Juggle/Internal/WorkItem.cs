namespace Juggle.Internal;

/// <summary>
/// What a submitted task runs. Executors that run in-process call <see cref="Invoke"/>; executors that ship work
/// elsewhere (processes, a broker) read <see cref="Callable"/> and <see cref="Arguments"/> instead.
/// </summary>
internal abstract class WorkItem<T>
{
    /// <summary>The user's delegate, as passed to Submit or Map.</summary>
    public abstract Delegate Callable { get; }

    /// <summary>The arguments passed with <see cref="Callable"/>, in order.</summary>
    public virtual object?[] Arguments => [];

    /// <summary><see langword="true"/> when the callable returns a task and accepts a cancellation token.</summary>
    public virtual bool IsAsync => false;

    /// <summary>Runs the work on the calling thread; async work is waited for.</summary>
    public abstract T Invoke(CancellationToken cancellationToken);

    /// <summary>For <see cref="IsAsync"/> work: calls the function and returns its task without waiting.</summary>
    public virtual Task StartAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} is not async work.");

    /// <summary>For <see cref="IsAsync"/> work: the value of a completed task from <see cref="StartAsync"/>, or its exception rethrown.</summary>
    public virtual T GetAsyncResult(Task task) =>
        throw new NotSupportedException($"{GetType().Name} is not async work.");

    private protected static TTask NotNull<TTask>(TTask? task)
        where TTask : Task =>
        task ?? throw new InvalidOperationException("The submitted async function returned a null Task.");
}

internal sealed class FuncWorkItem<T>(Func<T> fn) : WorkItem<T>
{
    public override Delegate Callable => fn;

    public override T Invoke(CancellationToken cancellationToken) => fn();
}

internal sealed class ActionWorkItem(Action fn) : WorkItem<object?>
{
    public override Delegate Callable => fn;

    public override object? Invoke(CancellationToken cancellationToken)
    {
        fn();
        return null;
    }
}

internal sealed class FuncWorkItem<TArg, T>(Func<TArg, T> fn, TArg arg) : WorkItem<T>
{
    public override Delegate Callable => fn;

    public override object?[] Arguments => [arg];

    public override T Invoke(CancellationToken cancellationToken) => fn(arg);
}

internal sealed class FuncWorkItem<TArg1, TArg2, T>(Func<TArg1, TArg2, T> fn, TArg1 arg1, TArg2 arg2) : WorkItem<T>
{
    public override Delegate Callable => fn;

    public override object?[] Arguments => [arg1, arg2];

    public override T Invoke(CancellationToken cancellationToken) => fn(arg1, arg2);
}

/// <summary>
/// Async work. <paramref name="callable"/> and <paramref name="arguments"/> are the user's delegate and arguments when
/// <paramref name="fn"/> adapts another shape (an async lambda without a token, one taking arguments): executors that
/// ship work elsewhere send those, in-process executors run <paramref name="fn"/>.
/// </summary>
internal sealed class AsyncWorkItem<T>(Func<CancellationToken, Task<T>> fn, Delegate? callable = null, object?[]? arguments = null) : WorkItem<T>
{
    public override Delegate Callable => callable ?? fn;

    public override object?[] Arguments => arguments ?? [];

    public override bool IsAsync => true;

    public override T Invoke(CancellationToken cancellationToken) => NotNull(fn(cancellationToken)).GetAwaiter().GetResult();

    public override Task StartAsync(CancellationToken cancellationToken) => NotNull(fn(cancellationToken));

    public override T GetAsyncResult(Task task) => ((Task<T>)task).GetAwaiter().GetResult();
}

/// <summary>Async work without a result; see <see cref="AsyncWorkItem{T}"/> for <paramref name="callable"/> and <paramref name="arguments"/>.</summary>
internal sealed class AsyncActionWorkItem(Func<CancellationToken, Task> fn, Delegate? callable = null, object?[]? arguments = null) : WorkItem<object?>
{
    public override Delegate Callable => callable ?? fn;

    public override object?[] Arguments => arguments ?? [];

    public override bool IsAsync => true;

    public override object? Invoke(CancellationToken cancellationToken)
    {
        NotNull(fn(cancellationToken)).GetAwaiter().GetResult();
        return null;
    }

    public override Task StartAsync(CancellationToken cancellationToken) => NotNull(fn(cancellationToken));

    public override object? GetAsyncResult(Task task)
    {
        task.GetAwaiter().GetResult();
        return null;
    }
}

/// <summary>The interface executors that ship work elsewhere use to recognise a Map chunk.</summary>
internal interface IMapChunk
{
    /// <summary>The user's mapping function.</summary>
    Delegate Function { get; }

    /// <summary>The chunk's input items.</summary>
    Array Items { get; }
}

/// <summary>
/// One chunk of a Map: applies the function to each item and records each item's outcome. <paramref name="function"/>
/// is the user's delegate (what an out-of-process executor sends: an async method is awaited by the worker);
/// <paramref name="fn"/> runs it in-process.
/// </summary>
internal sealed class MapChunkWorkItem<TSource, TResult>(Func<TSource, TResult> fn, Delegate function, TSource[] items, long firstIndex)
    : WorkItem<Outcome<TSource, TResult>[]>, IMapChunk
{
    public override Delegate Callable => function;

    public override object?[] Arguments => [items];

    public Delegate Function => function;

    public Array Items => items;

    public long FirstIndex => firstIndex;

    public TSource[] TypedItems => items;

    public override Outcome<TSource, TResult>[] Invoke(CancellationToken cancellationToken)
    {
        var outcomes = new Outcome<TSource, TResult>[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                outcomes[i] = new Outcome<TSource, TResult>(firstIndex + i, items[i], fn(items[i]));
            }
#pragma warning disable CA1031 // Each item's exception is its outcome; one bad item never sinks the rest.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcomes[i] = new Outcome<TSource, TResult>(firstIndex + i, items[i], ex);
            }
        }

        return outcomes;
    }
}

/// <summary>One item of a Map with chunkSize 1, for executors that run delegates in-process: no chunk array.</summary>
internal sealed class MapItemWorkItem<TSource, TResult>(Func<TSource, TResult> fn, TSource item, long index)
    : WorkItem<Outcome<TSource, TResult>[]>
{
    public override Delegate Callable => fn;

    public override object?[] Arguments => [item];

    public override Outcome<TSource, TResult>[] Invoke(CancellationToken cancellationToken)
    {
        try
        {
            return [new Outcome<TSource, TResult>(index, item, fn(item))];
        }
#pragma warning disable CA1031 // The item's exception is its outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return [new Outcome<TSource, TResult>(index, item, ex)];
        }
    }
}
