using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>A new worker's rehearsal: its call path really runs (define, init, a call and a chunk call, answered).</summary>
public sealed class WorkerWarmUpTests
{
    [Fact]
    public void The_rehearsal_runs_a_call_and_a_chunk_call_through_a_private_host()
    {
        Assert.True(WorkerWarmUp.Rehearse(), "the rehearsal did not get its answers");
    }
}
