namespace Juggle.RabbitMQ.Tests;

/// <summary>Results a worker sent that the client cannot read back fail their own item or future, never their neighbours.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterResultTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public void Map_items_whose_result_setter_throws_fail_alone_and_the_rest_of_the_chunk_succeeds()
    {
        StartWorker("--concurrency", "1");
        var executor = CreateExecutor();

        // One chunk of four: items 1 and 3 come back with a value the client's EvenOnlyResult setter refuses.
        var outcomes = executor.MapOutcomes(ClusterFunctions.MakeEvenOnly, [1, 2, 3, 4], chunkSize: 4, timeout: Patience).ToList();

        Assert.Equal(4, outcomes.Count);
        Assert.Equal([2, 4], outcomes.Where(o => o.Succeeded).Select(o => o.Value!.Value));
        foreach (var failed in outcomes.Where(o => !o.Succeeded))
        {
            var ex = Assert.IsType<InvalidOperationException>(failed.Exception);
            Assert.Contains($"item {failed.Index}", ex.Message);
            Assert.Contains($"EvenOnlyResult refuses {failed.Item}", ex.Message);
            Assert.IsType<InvalidDataException>(ex.InnerException);
        }

        Assert.Equal([1, 3], outcomes.Where(o => !o.Succeeded).Select(o => o.Item));
        Assert.Equal(8, executor.Submit(ClusterFunctions.MakeEvenOnly, 8).Result(Patience).Value);
    }

    [Fact]
    public void A_submitted_call_whose_result_setter_throws_fails_its_future_alone()
    {
        StartWorker("--concurrency", "1");
        var executor = CreateExecutor();

        var refused = executor.Submit(ClusterFunctions.MakeEvenOnly, 3);
        var accepted = executor.Submit(ClusterFunctions.MakeEvenOnly, 6);

        var ex = Assert.Throws<InvalidOperationException>(() => refused.Result(Patience));
        Assert.Contains("could not be read back", ex.Message);
        Assert.Contains("EvenOnlyResult refuses 3", ex.Message);
        Assert.IsType<InvalidDataException>(ex.InnerException);
        Assert.Equal(6, accepted.Result(Patience).Value);
        Assert.Equal(8, executor.Submit(ClusterFunctions.MakeEvenOnly, 8).Result(Patience).Value);
    }
}
