namespace Juggle.Cli.Workloads;

/// <summary>How the bank transfers ran and what they left behind.</summary>
/// <param name="Label">How they ran.</param>
/// <param name="Balances">Final balance of each bank.</param>
/// <param name="Elapsed">Wall time.</param>
internal sealed record BankRun(string Label, IReadOnlyList<int> Balances, TimeSpan Elapsed)
{
    public int Sum => Balances.Sum();

    /// <summary>Money is neither created nor destroyed: the total is what the banks started with.</summary>
    public bool InvariantHolds => Sum == BankSimulation.Banks * BankSimulation.InitialBalance;
}
