// Seed 003 ("Concurrent Python programming with async, threading, and multiprocessing"), web/1_sync.py and
// web/3_threaded.py: scrape the <h1> (the Pokémon's name) of the first 20 Pokédex pages, one after the other, then
// with a ThreadPoolExecutor; plus the async flavour (web/2_async_aiohttp.py) on the same executor. See README.md.
using System.Diagnostics;
using AngleSharp.Html.Parser;
using Juggle;
using Juggle.Samples.Server;

await using var server = await LoopbackServer.StartAsync(
    SampleContent.Pokemon.Select((name, i) => SiteResource.Html($"/pokedex/{i + 1}", $"{name} Pokédex: stats, moves, evolution & locations", h1: name)),
    latency: TimeSpan.FromMilliseconds(200));
using var http = new HttpClient();
var parser = new HtmlParser();

string GetH1(string html) => parser.ParseDocument(html).QuerySelector("h1")?.TextContent.Trim()
    ?? throw new InvalidDataException("The page has no <h1>.");

(int Number, string Name) DownloadSinglePokemon(int pokemonNum)
{
    Console.WriteLine($"Downloading Pokémon {pokemonNum:00}...");
    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, server.Url($"/pokedex/{pokemonNum}")));
    response.EnsureSuccessStatusCode(); // raise_for_status()
    using var reader = new StreamReader(response.Content.ReadAsStream());
    var header = GetH1(reader.ReadToEnd());
    Console.WriteLine($"Retrieved {pokemonNum:00}={header}");
    return (pokemonNum, header);
}

async Task<(int Number, string Name)> DownloadSinglePokemonAsync(int pokemonNum, CancellationToken cancellationToken)
{
    Console.WriteLine($"Downloading Pokémon {pokemonNum:00}...");
    var html = await http.GetStringAsync(server.Url($"/pokedex/{pokemonNum}"), cancellationToken);
    var header = GetH1(html);
    Console.WriteLine($"Retrieved {pokemonNum:00}={header}");
    return (pokemonNum, header);
}

void Report(string title, Func<IReadOnlyList<(int, string)>> downloadPokemonList)
{
    Console.WriteLine($"== {title} ==");
    var t0 = Stopwatch.GetTimestamp();
    var results = downloadPokemonList();
    Console.WriteLine($"\nThe code ran in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F2} seconds.");
    Console.WriteLine($"results=[{string.Join(", ", results)}]\n");
}

http.Send(new HttpRequestMessage(HttpMethod.Get, server.Url("/pokedex/1"))).Dispose(); // warm-up, untimed

// web/1_sync.py
Report("Synchronous", () => [.. Enumerable.Range(1, 20).Select(DownloadSinglePokemon)]);

// web/3_threaded.py: ThreadPoolExecutor() defaults to min(32, cores + 4) workers, as in Python.
Report("ThreadPoolExecutor", () =>
{
    List<Future<(int, string)>> work;
    using (var executor = new ThreadPoolExecutor())
    {
        Console.WriteLine($"Kick off threaded tasks on {executor.MaxWorkers} workers...");
        work = [.. Enumerable.Range(1, 20).Select(num => executor.Submit(DownloadSinglePokemon, num))];
        Console.WriteLine("Waiting for downloads...");
    } // leaving `using` waits for every task
    Console.WriteLine("Done");
    return [.. work.Select(future => future.Result())];
});

// web/2_async_aiohttp.py: async work needs no thread while it waits, so one executor slot per request is cheap.
Report("Async on a ThreadPoolExecutor(maxWorkers: 20)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: 20);
    var work = Enumerable.Range(1, 20).Select(num => executor.Submit(ct => DownloadSinglePokemonAsync(num, ct))).ToList();
    return [.. work.Select(future => future.Result())]; // or `await future`, or Task.WhenAll(f.AsTask()...) for asyncio.gather
});
