// Seed 001 ("Thread Carefully: An Introduction To Concurrent Python") and seed 002's "Download & save files from URLs
// with multi-threading": download web pages and PDF files with a ThreadPoolExecutor and save them to disk.
// Usage: dotnet run --project samples/Downloader [-- OUTPUT_DIR]. See README.md.
using System.Diagnostics;
using Juggle;
using Juggle.Samples;
using Juggle.Samples.Server;

var outputDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "juggle-samples", "downloads");
Directory.CreateDirectory(outputDir);

string[] siteNames = ["google", "reddit", "ebay", "bbc"];
string[] pdfNames = [.. Enumerable.Range(1, 8).Select(i => $"report-{i}.pdf")];
await using var server = await LoopbackServer.StartAsync(
    [
        .. siteNames.Select(name => SiteResource.Html($"/{name}", $"{name} home page")),
        .. pdfNames.Select((name, i) => new SiteResource($"/pdfs/{name}", "application/pdf", SampleContent.PdfBytes(2 << 20, seed: i))),
        new SiteResource("/pdfs/no-extension", "application/pdf", SampleContent.PdfBytes(1024, seed: 99)),
    ],
    latency: TimeSpan.FromMilliseconds(200));
using var http = new HttpClient();

// ---- Seed 001: download_list, download_page, pool.submit, then pool.map --------------------------------------------
var downloadList = siteNames.Select(name => (Name: name, Url: server.Url($"/{name}"))).ToList();

string DownloadPage((string Name, Uri Url) pageInfo)
{
    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, pageInfo.Url));
    response.EnsureSuccessStatusCode();
    var path = Path.Combine(outputDir, pageInfo.Name + ".html");
    using var saveFile = File.Create(path);
    response.Content.ReadAsStream().CopyTo(saveFile);
    return path;
}

using (var pool = new ThreadPoolExecutor(maxWorkers: 10))
{
    // The seed's threading version prints "Still downloading" from a daemon thread; here a timer reads the pool's
    // progress until a CancellationToken stops it.
    using var stop = new CancellationTokenSource();
    var status = StatusUpdateAsync(pool, stop.Token);

    var futures = downloadList.Select(download => pool.Submit(DownloadPage, download)).ToList();
    Futures.Wait(futures); // like Python, a failed download would go unnoticed unless you ask its future
    await stop.CancelAsync();
    await status;
    Console.WriteLine($"Done: {pool.Progress.Succeeded} pages saved, {pool.Progress.Failed} failed");
}

// "We could even simplify the last two lines to one using map" (results in input order):
using (var pool = new ThreadPoolExecutor(maxWorkers: 10))
{
    foreach (var saved in pool.Map(DownloadPage, downloadList))
    {
        Console.WriteLine($"Saved {saved}");
    }
}

static async Task StatusUpdateAsync(Executor pool, CancellationToken cancellationToken)
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
    try
    {
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            Console.WriteLine($"Still downloading ({pool.Progress.Done} of {pool.Progress.Submitted} done)");
        }
    }
    catch (OperationCanceledException)
    {
        // stopped: all downloads are done
    }
}

// ---- Seed 002: download_one streams a file to disk chunk by chunk; sequential vs executor.map ---------------------
string DownloadOne(Uri url)
{
    var localFilename = url.Segments[^1];
    if (!Path.HasExtension(localFilename))
    {
        throw new InvalidOperationException($"File has no extension: {url}");
    }

    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    using var file = File.Create(Path.Combine(outputDir, localFilename));
    response.Content.ReadAsStream().CopyTo(file, bufferSize: 512 * 1024);
    return $"Downloaded {localFilename}";
}

var pdfUrls = pdfNames.Select(name => server.Url($"/pdfs/{name}")).ToList();

var t0 = Stopwatch.GetTimestamp();
pdfUrls.ForEach(url => DownloadOne(url));
var sequential = Stopwatch.GetElapsedTime(t0);
Console.WriteLine($"\ndownload_all (sequential): {pdfUrls.Count} files in {sequential.TotalSeconds:F2} s");

t0 = Stopwatch.GetTimestamp();
using (var executor = new ThreadPoolExecutor(maxWorkers: 2 * Environment.ProcessorCount + 1)) // the seed's rule of thumb
{
    var results = executor.Map(DownloadOne, pdfUrls, timeout: TimeSpan.FromSeconds(60)).ToList();
    var threaded = Stopwatch.GetElapsedTime(t0);
    Console.WriteLine($"download_all (ThreadPoolExecutor, {executor.MaxWorkers} workers): {results.Count} files in {threaded.TotalSeconds:F2} s, {Ratio.Format(sequential, threaded)} faster");
}

// Map throws at the first failing item and the iteration ends there. The seed's fix: submit, then handle each
// future's exception as it completes.
Console.WriteLine("\nWith one bad URL in the list:");
List<Uri> urls = [.. pdfUrls.Take(3), server.Url("/pdfs/no-extension")];
using (var executor = new ThreadPoolExecutor(maxWorkers: 4))
{
    var futures = urls.Select(url => executor.Submit(DownloadOne, url)).ToList();
    foreach (var future in Futures.AsCompleted(futures))
    {
        try
        {
            Console.WriteLine(future.Result());
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine(e.Message);
        }
    }

    // Juggle's shortcut for the same: one Outcome (value or exception) per item, in input order.
    foreach (var outcome in executor.MapOutcomes(DownloadOne, urls))
    {
        Console.WriteLine(outcome.Succeeded ? $"ok   {outcome.Item}" : $"FAIL {outcome.Item}: {outcome.Exception!.Message}");
    }
}

Console.WriteLine($"\nFiles saved in {outputDir}");
