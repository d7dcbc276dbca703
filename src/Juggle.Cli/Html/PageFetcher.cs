using System.Buffers;
using System.Diagnostics;
using System.Net;
using Juggle.Cli.Http;

namespace Juggle.Cli.Html;

/// <summary>
/// Fetches one page and extracts its title (or selected element). Never throws for a bad page: every failure
/// (refused, DNS, timeout, 4xx/5xx, redirect loop, binary body) becomes a <see cref="PageResult"/> with an error.
/// Only cancellation (Ctrl+C) propagates.
/// </summary>
internal sealed class PageFetcher(HttpClient client, Retrier retry, HttpSettings settings, PageQuery query)
{
    // A body is read into a pooled buffer that starts small and doubles while the stop marker is not found: most
    // titles come in the first few kilobytes, and each worker thread keeps the buffers it used (the pool's
    // per-thread cache), so 64 workers starting at 64 KB held 4 MB of fresh, zeroed memory for 1 KB pages.
    private const int InitialBufferSize = 8 * 1024;

    // The buffer grows before a read that would have less room than this.
    private const int MinReadSize = 4 * 1024;

    public PageQuery Query => query;

    /// <summary>
    /// Blocking form, for thread-pool workers and sequential runs: synchronous socket I/O on the calling thread, so
    /// a worker never waits for a .NET thread-pool thread to resume it.
    /// </summary>
    public PageResult Fetch(string url, CancellationToken cancellationToken)
    {
        var task = FetchCoreAsync(url, sync: true, cancellationToken);
        return task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();
    }

    public Task<PageResult> FetchAsync(string url, CancellationToken cancellationToken) => FetchCoreAsync(url, sync: false, cancellationToken).AsTask();

    /// <summary>
    /// The safety net: whatever a server sends, an exception nobody foresaw becomes this item's error instead of
    /// ending the run. Only the run's own cancellation (Ctrl+C) propagates.
    /// </summary>
    private async ValueTask<PageResult> FetchCoreAsync(string url, bool sync, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await FetchOnceAsync(url, sync, started, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return PageResult.Failed(url, $"unexpected error: {ex.Message} ({ex.GetType().Name})", Stopwatch.GetElapsedTime(started));
        }
    }

    private async ValueTask<PageResult> FetchOnceAsync(string url, bool sync, long started, CancellationToken cancellationToken)
    {
        if (!HttpUrl.TryParse(url, out var uri))
        {
            return PageResult.Failed(url, "not an http(s) URL");
        }

        HttpResponseMessage response;
        try
        {
            response = await retry.GetAsync(client, uri, sync, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or NotSupportedException or RedirectException)
        {
            return PageResult.Failed(url, HttpFactory.Describe(ex, settings.Timeout), Stopwatch.GetElapsedTime(started));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                var error = response.Headers.Location is null
                    ? $"HTTP {status} {response.ReasonPhrase}"
                    : $"too many redirects (more than {settings.MaxRedirects})";
                return PageResult.Failed(url, error, Stopwatch.GetElapsedTime(started), status);
            }

            if (!response.IsSuccessStatusCode)
            {
                return PageResult.Failed(url, $"HTTP {status} {response.ReasonPhrase ?? ((HttpStatusCode)status).ToString()}", Stopwatch.GetElapsedTime(started), status);
            }

            var contentType = response.Content.Headers.ContentType;
            if (contentType?.MediaType is { } media && !IsTextual(media))
            {
                return PageResult.Failed(url, $"not HTML: {media}", Stopwatch.GetElapsedTime(started), status);
            }

            using var body = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            body.CancelAfter(settings.Timeout);
            try
            {
                var (bytes, length, truncated) = await ReadBodyAsync(response, sync, body.Token).ConfigureAwait(false);
                try
                {
                    var span = bytes.AsSpan(0, length);
                    if (LooksBinary(span))
                    {
                        return new PageResult(url, status, null, "binary content, not HTML", Stopwatch.GetElapsedTime(started), length);
                    }

                    var (encoding, skip) = Charset.Detect(span, contentType?.CharSet, truncated);
                    var html = encoding.GetString(span[skip..]);
                    return new PageResult(url, status, query.Extract(html), null, Stopwatch.GetElapsedTime(started), length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return PageResult.Failed(url, $"timed out reading the body after {settings.Timeout.TotalSeconds:0.###} s", Stopwatch.GetElapsedTime(started), status);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return PageResult.Failed(url, $"connection lost reading the body: {ex.Message}", Stopwatch.GetElapsedTime(started), status);
            }
        }
    }

    /// <summary>
    /// Reads the body in chunks until the stop marker (<c>&lt;/title</c>) appears, the body ends, or
    /// <see cref="PageQuery.MaxBytes"/> is reached; the rest of the body is never downloaded.
    /// </summary>
    private async ValueTask<Body> ReadBodyAsync(HttpResponseMessage response, bool sync, CancellationToken token)
    {
        var max = (int)Math.Min(query.MaxBytes, Array.MaxLength);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(max, InitialBufferSize));
        var length = 0;
        try
        {
            var stream = sync ? response.Content.ReadAsStream(token) : await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (length < max)
                {
                    if (buffer.Length - length < MinReadSize && buffer.Length < max)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var room = Math.Min(buffer.Length - length, max - length);
                    int read;
                    if (sync)
                    {
                        // Stream.Read has no token: a timeout disposes the response, which ends the read.
                        using (token.UnsafeRegister(static r => ((HttpResponseMessage)r!).Dispose(), response))
                        {
                            try
                            {
                                read = stream.Read(buffer, length, room);
                            }
                            catch (Exception ex) when (token.IsCancellationRequested && ex is IOException or ObjectDisposedException or HttpRequestException)
                            {
                                throw new OperationCanceledException(token);
                            }
                        }

                        token.ThrowIfCancellationRequested();
                    }
                    else
                    {
                        read = await stream.ReadAsync(buffer.AsMemory(length, room), token).ConfigureAwait(false);
                    }
                    if (read == 0)
                    {
                        return new Body(buffer, length, Truncated: false);
                    }

                    var searchFrom = Math.Max(0, length - (query.StopMarker?.Length ?? 0));
                    length += read;
                    if (query.StopMarker is { } marker && IndexOfAsciiIgnoreCase(buffer.AsSpan(searchFrom, length - searchFrom), marker) >= 0)
                    {
                        return new Body(buffer, length, Truncated: true);
                    }
                }

                return new Body(buffer, length, Truncated: true);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }


    /// <summary>What <see cref="ReadBodyAsync"/> read: a pooled buffer, its filled length, and whether the body went on.</summary>
    private sealed record Body(byte[] Bytes, int Length, bool Truncated);

    private static bool IsTextual(string media) =>
        media.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || media.Contains("html", StringComparison.OrdinalIgnoreCase)
        || media.Contains("xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>NUL bytes in the first kilobyte mean an image, archive or PDF served as text (unless UTF-16).</summary>
    private static bool LooksBinary(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || body.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return false;
        }

        return body[..Math.Min(body.Length, 1024)].Contains((byte)0);
    }

    private static int IndexOfAsciiIgnoreCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> lowerNeedle)
    {
        for (var i = 0; i <= haystack.Length - lowerNeedle.Length; i++)
        {
            var j = 0;
            while (j < lowerNeedle.Length && (haystack[i + j] | 0x20) == (lowerNeedle[j] | 0x20))
            {
                j++;
            }

            if (j == lowerNeedle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
