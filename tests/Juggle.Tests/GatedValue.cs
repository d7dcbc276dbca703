namespace Juggle.Tests;

/// <summary>A Map item for <see cref="ContractFunctions.ValueOrBlock"/>: a value, optionally behind a <see cref="CrossProcessGate"/>.</summary>
public sealed record GatedValue(int Value, string? GatePath = null);
