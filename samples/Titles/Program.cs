// Seed 000 ("The easy way to concurrency and parallelism with Python stdlib"): fetch seven pages, print each
// <title>, first one after the other, then with a ThreadPoolExecutor and Futures.AsCompleted. See README.md.
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Juggle;
using Juggle.Samples;
using Juggle.Samples.Server;

// The seed fetched bitecode.dev; we serve the same seven posts from a loopback server, ~200 ms per response.
await using var server = await LoopbackServer.StartAsync(
    SampleContent.BlogPosts.Select(post => SiteResource.Html(post.Path, post.Title)),
    latency: TimeSpan.FromMilliseconds(150),
    jitter: TimeSpan.FromMilliseconds(100));
Uri[] urls = [.. SampleContent.BlogPosts.Select(post => server.Url(post.Path))];

var titlePattern = new Regex("<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase);
using var http = new HttpClient();
// We'll pretend to be Firefox, as the seed did for substack.
http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/116.0");

string FetchUrl(Uri url)
{
    var start = Stopwatch.GetTimestamp();
    // HttpClient.Send blocks this thread like Python's urlopen: the pool's threads are what make it concurrent.
    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
    response.EnsureSuccessStatusCode();
    using var reader = new StreamReader(response.Content.ReadAsStream());
    var match = titlePattern.Match(reader.ReadToEnd());
    var title = match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : "Unknown";
    Console.WriteLine($"Time taken ({url}): {Stopwatch.GetElapsedTime(start).TotalSeconds:F4} seconds");
    return title;
}

// Warm up (JIT, first connection) so that neither timing below pays for it.
http.Send(new HttpRequestMessage(HttpMethod.Get, urls[0])).Dispose();

Console.WriteLine("== One after the other ==");
var sequentialStart = Stopwatch.GetTimestamp();
foreach (var url in urls)
{
    var title = FetchUrl(url);
    Console.WriteLine($"URL: {url}\nTitle: {title}");
}

var sequential = Stopwatch.GetElapsedTime(sequentialStart);
Console.WriteLine($"Total time taken for all URLs: {sequential.TotalSeconds:F4} seconds\n");

Console.WriteLine("== ThreadPoolExecutor + Futures.AsCompleted ==");
var pooledStart = Stopwatch.GetTimestamp();
using (var executor = new ThreadPoolExecutor(maxWorkers: urls.Length))
{
    // Remember which future fetches which URL: they complete in any order.
    var tasks = urls.ToDictionary(url => executor.Submit(FetchUrl, url));
    foreach (var future in Futures.AsCompleted(tasks.Keys))
    {
        var title = future.Result(); // the title, or FetchUrl's own exception rethrown
        Console.WriteLine($"URL: {tasks[future]}\nTitle: {title}");
    }
} // Dispose = Shutdown(wait: true), like leaving Python's `with` block

var pooled = Stopwatch.GetElapsedTime(pooledStart);
Console.WriteLine($"Total time taken for all URLs: {pooled.TotalSeconds:F4} seconds\n");

Console.WriteLine($"Sequential: {sequential.TotalSeconds:F2} s, pooled ({urls.Length} workers): {pooled.TotalSeconds:F2} s, speed-up: {Ratio.Format(sequential, pooled)}");
