namespace Juggle;

/// <summary>The two sets returned by <see cref="Futures.Wait{TFuture}(IEnumerable{TFuture}, TimeSpan?, ReturnWhen)"/>; deconstructs like Python's named tuple.</summary>
/// <typeparam name="TFuture">The future type.</typeparam>
/// <param name="Done">Futures that finished or were cancelled.</param>
/// <param name="NotDone">Futures still pending or running.</param>
public sealed record DoneAndNotDone<TFuture>(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> NotDone)
    where TFuture : Future;
