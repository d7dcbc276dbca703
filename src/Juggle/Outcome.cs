using System.Runtime.ExceptionServices;

namespace Juggle;

/// <summary>What happened to one item of <see cref="Executor.MapOutcomes{TSource, TResult}(Func{TSource, TResult}, IEnumerable{TSource}, TimeSpan?, int?, int?)"/>: its value or its exception, never both.</summary>
/// <typeparam name="TSource">The input item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public readonly struct Outcome<TSource, TResult>
{
    private readonly TResult _value;

    internal Outcome(long index, TSource item, TResult value)
    {
        Index = index;
        Item = item;
        _value = value;
        Exception = null;
    }

    internal Outcome(long index, TSource item, Exception exception)
    {
        Index = index;
        Item = item;
        _value = default!;
        Exception = exception;
    }

    /// <summary>The item's position in the input, from 0.</summary>
    public long Index { get; }

    /// <summary>The input item.</summary>
    public TSource Item { get; }

    /// <summary>The exception the function threw for this item, or <see langword="null"/> on success.</summary>
    public Exception? Exception { get; }

    /// <summary><see langword="true"/> when the function returned a value.</summary>
    public bool Succeeded => Exception is null;

    /// <summary>The value; throws the item's own exception (stack preserved) when it failed.</summary>
    public TResult Value
    {
        get
        {
            if (Exception is not null)
            {
                ExceptionDispatchInfo.Throw(Exception);
            }

            return _value;
        }
    }

    /// <summary>Returns the value, or <paramref name="fallback"/> when the item failed.</summary>
    public TResult GetValueOrDefault(TResult fallback) => Exception is null ? _value : fallback;

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? $"[{Index}] {Item} -> {_value}" : $"[{Index}] {Item} !! {Exception.GetType().Name}: {Exception.Message}";
}
