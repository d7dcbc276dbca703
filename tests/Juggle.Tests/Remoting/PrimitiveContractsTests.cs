using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// The precompiled contracts for common values: they are the ones used (no reflection set-up in a fresh worker), and
/// what they write and read is byte for byte what reflection does with the same options.
/// </summary>
public sealed class PrimitiveContractsTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static TheoryData<Type, object> Values => new()
    {
        { typeof(int), -42 },
        { typeof(long), long.MinValue },
        { typeof(double), double.NaN },
        { typeof(double), double.NegativeInfinity },
        { typeof(double), 0.1 },
        { typeof(float), float.PositiveInfinity },
        { typeof(bool), true },
        { typeof(string), "quote \" <tag> & é \u2028 \ud83d\ude00" },
        { typeof(int[]), new[] { 1, 2, 3 } },
        { typeof(double[]), new[] { double.NaN, 1.5 } },
        { typeof(string[]), new[] { "a", "b" } },
        { typeof(List<string>), new List<string> { "x", "y" } },
        { typeof(int[][]), new[] { new[] { 1 }, new[] { 2, 3 } } },
        { typeof(Dictionary<string, int>), new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 } },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Common_values_are_written_and_read_exactly_as_reflection_does(Type type, object value)
    {
        var json = ArgumentCodec.Serialize(value, type);
        Assert.Equal(JsonSerializer.Serialize(value, type, Reflection), System.Text.Encoding.UTF8.GetString(json));
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize(json, type, Reflection), type, Reflection), JsonSerializer.Serialize(ArgumentCodec.Deserialize(json, type), type, Reflection));
    }

    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(string))]
    [InlineData(typeof(double[]))]
    [InlineData(typeof(Dictionary<string, string>))]
    public void Common_values_use_the_precompiled_contracts(Type type) =>
        Assert.Same(PrimitiveContracts.Default, ArgumentCodec.Options.GetTypeInfo(type).OriginatingResolver);

    [Fact]
    public void Other_types_still_use_reflection() =>
        Assert.IsType<DefaultJsonTypeInfoResolver>(ArgumentCodec.Options.GetTypeInfo(typeof(ContractPoint)).OriginatingResolver);
}
