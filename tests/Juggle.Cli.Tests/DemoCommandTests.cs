namespace Juggle.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task Small_demo_runs_every_experiment_and_checks_its_results()
    {
        var work = Directory.CreateTempSubdirectory("juggle-demo-test");
        try
        {
            var svg = Path.Combine(work.FullName, "titles.svg");
            var result = await CliHarness.RunAsync(["demo", "--latency", "20", "--pages", "5", "--books", "2", "--iterations", "2000", "--timeline", svg], workDirectory: work.FullName);

            Assert.True(result.ExitCode == 0, result.ToString());
            foreach (var section in new[] { "1. Page titles", "2. Books", "3. CPU work", "4. Bank transfers", "Comparison" })
            {
                Assert.Contains(section, result.Console);
            }

            Assert.Contains("same titles ✓", result.Console);
            Assert.Contains("same counts ✓", result.Console);
            Assert.Contains("locked keeps 5000 ✓", result.Console);
            Assert.Contains("Bulbasaur", result.Console);
            Assert.Contains("processes (", result.Console); // the CPU section ran on the process pool too
            Assert.Equal(2, Directory.GetFiles(work.FullName, "*.txt").Length);
            var doc = System.Xml.Linq.XDocument.Load(svg);
            System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(10, doc.Descendants(ns + "rect").Count(r => r.Element(ns + "title") is not null)); // 5 sequential + 5 pooled
            Assert.Contains(doc.Descendants(ns + "text"), t => t.Value.StartsWith("pool: titles_", StringComparison.Ordinal));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void Locked_bank_transfers_keep_the_money_and_match_the_sequential_run()
    {
        var verify = TimeSpan.FromMilliseconds(5);
        var sequential = Workloads.BankSimulation.RunSequential(7, verify);
        var locked = Workloads.BankSimulation.RunThreads(7, verify, locked: true);

        Assert.True(sequential.InvariantHolds);
        Assert.True(locked.InvariantHolds);
        Assert.Equal(sequential.Balances, locked.Balances);
    }

    [Fact]
    public void Word_counter_folds_case_and_keeps_inner_apostrophes()
    {
        var counts = Workloads.WordCounter.Count("The whale's tale; THE whale, the end. 'Quoted'");

        Assert.Equal(3, counts["the"]);
        Assert.Equal(1, counts["whale's"]);
        Assert.Equal(1, counts["whale"]);
        Assert.Equal(1, counts["quoted"]);
    }
}
