namespace Juggle.Cli.Downloads;

/// <summary>What downloading one URL did.</summary>
/// <param name="Url">The URL as given.</param>
/// <param name="Path">Where the file is (saved or already there), or null.</param>
/// <param name="Status">HTTP status, if any.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Skipped">True when the file existed and <c>--force</c> was not given.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="Elapsed">Wall time.</param>
internal sealed record DownloadResult(string Url, string? Path, int? Status, long Bytes, bool Skipped, string? Error, TimeSpan Elapsed)
{
    public bool Succeeded => Error is null;
}
