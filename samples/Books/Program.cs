// Seed 004 ("Python concurrency lessons"): fetch three Project Gutenberg books with a thread pool, save them with a
// thread pool, then tokenize and count their words in parallel, on threads and on processes. The texts are generated
// and served from a loopback server with 200 ms latency. Usage: dotnet run --project samples/Books [-- OUTPUT_DIR].
// See README.md.
using System.Diagnostics;
using Books;
using Juggle;
using Juggle.Samples.Server;

var textsDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "juggle-samples", "texts");
Directory.CreateDirectory(textsDir);

await using var server = await LoopbackServer.StartAsync(
    SampleContent.Books.Select((book, i) => SiteResource.Text(book.Path, SampleContent.BookText(book.Title, words: 150_000, seed: i))),
    latency: TimeSpan.FromMilliseconds(200));
using var http = new HttpClient();
var urls = SampleContent.Books.Select(book => server.Url(book.Path)).ToList();

// download and decode content from a url.
(string Content, string FileName) Download(Uri url)
{
    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
    response.EnsureSuccessStatusCode();
    using var reader = new StreamReader(response.Content.ReadAsStream());
    return (reader.ReadToEnd(), Path.Combine(textsDir, url.Segments[^1]));
}

// save content to file with name.
string Save((string Content, string FileName) page)
{
    File.WriteAllText(page.FileName, page.Content);
    return page.FileName;
}

var t0 = Stopwatch.GetTimestamp();
List<(string Content, string FileName)> results;
using (var exe = new ThreadPoolExecutor(maxWorkers: 3)) // use threads when the task is I/O bound
{
    results = [.. exe.Map(Download, urls)];
}

Console.WriteLine($"Downloaded {results.Count} books ({results.Sum(r => r.Content.Length):N0} chars) in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F2} s");

t0 = Stopwatch.GetTimestamp();
using (var exe = new ThreadPoolExecutor(maxWorkers: 3))
{
    foreach (var saved in exe.Map(Save, results))
    {
        Console.WriteLine($"Saved {saved}");
    }
}

Console.WriteLine($"Saved in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F2} s");

// The seed concatenates the books into all.txt and maps `process` over its lines. Lines are tiny tasks, so we hand
// them out 2,000 at a time.
var allLines = results.SelectMany(r => r.Content.Split('\n')).ToArray();
var chunks = allLines.Chunk(2_000).ToList();

t0 = Stopwatch.GetTimestamp();
var sequential = Merge(chunks.Select(Text.CountWords));
var sequentialTime = Stopwatch.GetElapsedTime(t0);

t0 = Stopwatch.GetTimestamp();
Dictionary<string, int> withThreads;
using (var exe = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount)) // CPU bound: one worker per core
{
    withThreads = Merge(exe.Map(Text.CountWords, chunks));
}

var threadsTime = Stopwatch.GetElapsedTime(t0);

// "use processes when the task is CPU bound": the chunks travel to the worker processes as JSON, the counts come back.
t0 = Stopwatch.GetTimestamp();
Dictionary<string, int> counts;
using (var exe = new ProcessPoolExecutor(maxWorkers: Environment.ProcessorCount))
{
    counts = Merge(exe.Map(Text.CountWords, chunks));
}

var processesTime = Stopwatch.GetElapsedTime(t0);
if (!SameCounts(counts, sequential) || !SameCounts(withThreads, sequential))
{
    throw new InvalidOperationException("The pooled word counts differ from the sequential one.");
}

Console.WriteLine($"\nTokenized {allLines.Length:N0} lines: {counts.Values.Sum():N0} words, {counts.Count:N0} distinct");
Console.WriteLine($"  sequential {sequentialTime.TotalMilliseconds:F0} ms, ThreadPoolExecutor {threadsTime.TotalMilliseconds:F0} ms, ProcessPoolExecutor {processesTime.TotalMilliseconds:F0} ms ({Environment.ProcessorCount} workers)");
Console.WriteLine("\nTop 10 words:");
foreach (var (word, count) in counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10))
{
    Console.WriteLine($"  {word,-10} {count,8:N0}");
}

static bool SameCounts(Dictionary<string, int> a, Dictionary<string, int> b) =>
    a.Count == b.Count && a.All(kv => b.GetValueOrDefault(kv.Key) == kv.Value);

static Dictionary<string, int> Merge(IEnumerable<Dictionary<string, int>> parts)
{
    var total = new Dictionary<string, int>(StringComparer.Ordinal);
    foreach (var part in parts)
    {
        foreach (var (word, count) in part)
        {
            total[word] = total.GetValueOrDefault(word) + count;
        }
    }

    return total;
}
