namespace Juggle.Cli.Html;

/// <summary>What fetching one page gave: the extracted text or the reason it failed.</summary>
/// <param name="Url">The URL as given.</param>
/// <param name="Status">The final HTTP status, if a response arrived.</param>
/// <param name="Value">The title (or selected element's text); "Unknown" when absent. Null on failure.</param>
/// <param name="Error">Why the item failed, or null.</param>
/// <param name="Elapsed">Wall time for the item.</param>
/// <param name="Bytes">Body bytes read.</param>
internal sealed record PageResult(string Url, int? Status, string? Value, string? Error, TimeSpan Elapsed, long Bytes)
{
    public bool Succeeded => Error is null;

    public static PageResult Failed(string url, string error, TimeSpan elapsed = default, int? status = null) =>
        new(url, status, null, error, elapsed, 0);
}
