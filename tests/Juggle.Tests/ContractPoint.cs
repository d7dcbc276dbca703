namespace Juggle.Tests;

/// <summary>A record argument/result for the contract (JSON-serialisable).</summary>
public sealed record ContractPoint(int X, int Y, string Label);
