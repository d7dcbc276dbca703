using System.Globalization;
using Cluster;
using Juggle;
using Juggle.RabbitMQ;

// Seed 004's CPU-bound step on a cluster: each book is tokenized on a worker node behind a RabbitMQ broker.
// The broker comes from JUGGLE_BROKER (juggle cluster up prints it); the workers run this assembly's
// [JuggleFunction] methods (juggle worker --assembly .../Cluster.dll). Books: the files given, else three built in.
var books = args.Length > 0
    ? args.Select(path => (Title: Path.GetFileName(path), Text: File.ReadAllText(path))).ToList()
    : BuiltInBooks();

if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("JUGGLE_BROKER")))
{
    Console.Error.WriteLine("Set JUGGLE_BROKER to the broker URI first (juggle cluster up --assembly <this sample's Cluster.dll> prints one).");
    return 2;
}

using var executor = new RabbitMqExecutor(broker: null);

// The texts travel with the tasks (not paths), so the workers may be on other machines.
var futures = books.Select(book => executor.Submit(Tokenizer.CountWords, book.Text)).ToList();
var total = new Dictionary<string, int>(StringComparer.Ordinal);
for (var i = 0; i < books.Count; i++)
{
    var counts = futures[i].Result(TimeSpan.FromMinutes(5));
    foreach (var (word, n) in counts)
    {
        total[word] = total.GetValueOrDefault(word) + n;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{books[i].Title}: {counts.Values.Sum():N0} words, counted on node {futures[i].WorkerName}"));
}

var top = total.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(5);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{books.Count} books, {total.Values.Sum():N0} words, {total.Count:N0} distinct; top: {string.Join(", ", top.Select(p => $"{p.Key} {p.Value}"))}"));
return 0;

static List<(string Title, string Text)> BuiltInBooks() =>
[
    ("The Enchanted April (pg16389, opening)", "It began in a Woman's Club in London on a February afternoon, an uncomfortable club, and a miserable afternoon, when Mrs. Wilkins, who had come down from Hampstead to shop and had lunched at her club, took up The Times from the table in the smoking-room, and running her listless eye down the Agony Column saw this."),
    ("Frankenstein (pg84, opening)", "You will rejoice to hear that no disaster has accompanied the commencement of an enterprise which you have regarded with such evil forebodings. I arrived here yesterday, and my first task is to assure my dear sister of my welfare and increasing confidence in the success of my undertaking."),
    ("The Importance of Being Earnest (pg844, opening)", "Did you hear what I was playing, Lane? I didn't think it polite to listen, sir. I'm sorry for that, for your sake. I don't play accurately, any one can play accurately, but I play with wonderful expression. As far as the piano is concerned, sentiment is my forte. I keep science for Life."),
];
