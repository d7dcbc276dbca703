using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Juggle.Cli.Native;

/// <summary>
/// <see cref="CliJsonContext"/> made on first use. Program.Main hands the contracts to the process pool first thing,
/// but creating the context (its options, encoders and property names) costs ~2 ms of a start-up that `juggle --help`
/// and most commands never repay: only process pools and cluster runs serialise anything.
/// </summary>
internal sealed class CliJsonResolver : IJsonTypeInfoResolver
{
    private CliJsonResolver()
    {
    }

    public static CliJsonResolver Instance { get; } = new();

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
        ((IJsonTypeInfoResolver)CliJsonContext.Default).GetTypeInfo(type, options);
}
