using System.Collections.Concurrent;
using System.Diagnostics;
using Juggle.Cli.Http;

namespace Juggle.Cli.Downloads;

/// <summary>
/// Streams one URL to a file in the output folder: a temporary <c>.part</c> file renamed only when complete, so an
/// error or Ctrl+C never leaves a partial file under the final name. Existing files are skipped unless forced.
/// </summary>
internal sealed class Downloader(HttpClient client, Retrier retry, HttpSettings settings, string directory, bool force)
{
    private const int BufferSize = 64 * 1024;
    private readonly ConcurrentDictionary<string, bool> _claimed = new(StringComparer.Ordinal);

    /// <summary>Called with (url, bytes just written, total length if known) as data arrives; for progress bars.</summary>
    public Action<string, long, long?>? OnProgress { get; init; }

    public DownloadResult Download(string url, CancellationToken cancellationToken) => DownloadAsync(url, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Downloads one URL. Whatever the server sends, an exception nobody foresaw becomes this item's error instead of
    /// ending the run; only the run's own cancellation (Ctrl+C, SIGTERM) propagates.
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await DownloadOnceAsync(url, started, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new DownloadResult(url, null, null, 0, false, $"unexpected error: {ex.Message} ({ex.GetType().Name})", Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<DownloadResult> DownloadOnceAsync(string url, long started, CancellationToken cancellationToken)
    {
        DownloadResult Fail(string error, int? status = null) => new(url, null, status, 0, false, error, Stopwatch.GetElapsedTime(started));

        if (!HttpUrl.TryParse(url, out var uri))
        {
            return Fail("not an http(s) URL");
        }

        HttpResponseMessage response;
        try
        {
            response = await retry.GetAsync(client, uri, sync: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or NotSupportedException or RedirectException)
        {
            return Fail(HttpFactory.Describe(ex, settings.Timeout));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return Fail(status is >= 300 and < 400 ? $"too many redirects (more than {settings.MaxRedirects})" : $"HTTP {status} {response.ReasonPhrase}", status);
            }

            string path;
            try
            {
                path = Claim(SafeFileName.Choose(response.RequestMessage?.RequestUri ?? uri, response.Content.Headers.ContentDisposition));
            }
            catch (InvalidOperationException ex)
            {
                return Fail(ex.Message, status);
            }

            if (File.Exists(path) && !force)
            {
                return new DownloadResult(url, path, status, 0, true, null, Stopwatch.GetElapsedTime(started));
            }

            // The temporary name must fit the same 255-byte limit as the final one: shorten the name part of it.
            var tempSuffix = $".{Guid.NewGuid():N}.part";
            var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + SafeFileName.Fit(Path.GetFileName(path), SafeFileName.MaxNameBytes - 1 - tempSuffix.Length) + tempSuffix);
            try
            {
                long written = 0;
                var total = response.Content.Headers.ContentLength;
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                    await using (file.ConfigureAwait(false))
                    {
                        var buffer = new byte[BufferSize];
                        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        while (true)
                        {
                            // The timeout is per read: a slow but steady large download is fine, a stalled one is not.
                            idle.CancelAfter(settings.Timeout);
                            int read;
                            try
                            {
                                read = await stream.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                            {
                                throw new TimeoutException();
                            }

                            if (read == 0)
                            {
                                break;
                            }

                            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                            written += read;
                            OnProgress?.Invoke(url, read, total);
                        }
                    }
                }

                if (total is { } expected && written != expected)
                {
                    TryDelete(temp);
                    return Fail($"body ended after {written} of {expected} bytes", status);
                }

                File.Move(temp, path, overwrite: force);
                return new DownloadResult(url, path, status, written, false, null, Stopwatch.GetElapsedTime(started));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                if (ex is DirectoryNotFoundException)
                {
                    return Fail($"cannot write into {directory}: {ex.Message}", status);
                }

                return Fail(ex is TimeoutException ? $"stalled: no data for {settings.Timeout.TotalSeconds:0.###} s" : $"download failed: {ex.Message}", status);
            }
            catch
            {
                // Ctrl+C or anything unexpected: never leave a partial file behind.
                TryDelete(temp);
                throw;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is what the user needs to see.
        }
    }

    /// <summary>Reserves a path for this run so two URLs with the same name don't write the same file.</summary>
    private string Claim(string name)
    {
        var path = SafeFileName.Inside(directory, name);
        if (_claimed.TryAdd(path, true))
        {
            return path;
        }

        var stem = Path.GetFileNameWithoutExtension(name);
        var ext = Path.GetExtension(name);
        for (var n = 2; ; n++)
        {
            path = SafeFileName.Inside(directory, SafeFileName.WithSuffix(stem, $" ({n}){ext}"));
            if (_claimed.TryAdd(path, true))
            {
                return path;
            }
        }
    }

}
