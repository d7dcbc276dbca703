using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// Ints, longs, bools, finite doubles and plain ASCII strings skip System.Text.Json: what is written is byte for byte
/// what System.Text.Json writes, what is read is what it reads, and anything else goes to System.Text.Json.
/// </summary>
public sealed class PlainJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static TheoryData<Type, object> Plain => new()
    {
        { typeof(int), 0 },
        { typeof(int), -42 },
        { typeof(int), int.MinValue },
        { typeof(int), int.MaxValue },
        { typeof(long), long.MinValue },
        { typeof(long), long.MaxValue },
        { typeof(bool), true },
        { typeof(bool), false },
        { typeof(double), 0.1 },
        { typeof(double), -0.0 },
        { typeof(double), 1e20 },
        { typeof(double), 1.5e-7 },
        { typeof(double), double.Epsilon },
        { typeof(double), double.MaxValue },
        { typeof(double), -123456.789 },
        { typeof(string), "" },
        { typeof(string), "https://example.com/a?b=c;d=e%20f#g" },
        { typeof(string), " !#$%()*,-./0123456789:;=?@[]^_{|}~ abcXYZ" },
    };

    public static TheoryData<Type, object> NotPlain => new()
    {
        { typeof(double), double.NaN },
        { typeof(double), double.NegativeInfinity },
        { typeof(string), "quote \"" },
        { typeof(string), "back\\slash" },
        { typeof(string), "<tag> & 'x' + `y`" },
        { typeof(string), "tab\there" },
        { typeof(string), "é \u2028 \ud83d\ude00" },
        { typeof(string), "lone \ud800" },
        { typeof(float), 1.5f },
        { typeof(string), new string('a', PlainJson.MaxPlainLength + 1) },
    };

    [Theory]
    [MemberData(nameof(Plain))]
    public void Plain_values_are_written_and_read_as_System_Text_Json_does(Type type, object value)
    {
        Assert.True(PlainJson.TryWrite(value, type, out var json));
        Assert.Equal(JsonSerializer.Serialize(value, type, Reflection), Encoding.UTF8.GetString(json));
        Assert.True(PlainJson.TryRead(json, type, out var back));
        Assert.Equal(value, back);
        Assert.Equal(json, ArgumentCodec.Serialize(value, type));
        Assert.Equal(value, ArgumentCodec.Deserialize(json, type));
    }

    [Theory]
    [MemberData(nameof(NotPlain))]
    public void Other_values_go_to_System_Text_Json_and_round_trip(Type type, object value)
    {
        Assert.False(PlainJson.TryWrite(value, type, out _));
        var json = ArgumentCodec.Serialize(value, type);
        Assert.Equal(JsonSerializer.Serialize(value, type, Reflection), Encoding.UTF8.GetString(json));
        Assert.False(PlainJson.TryRead(json, type, out _));
        Assert.Equal(value, ArgumentCodec.Deserialize(json, type));
    }

    [Fact]
    public void Random_doubles_are_written_as_System_Text_Json_writes_them_and_read_back_exactly()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 20_000; i++)
        {
            var value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value))
            {
                continue;
            }

            Assert.True(PlainJson.TryWrite(value, typeof(double), out var json));
            Assert.Equal(JsonSerializer.Serialize(value, Reflection), Encoding.UTF8.GetString(json));
            Assert.True(PlainJson.TryRead(json, typeof(double), out var back));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits((double)back!));
        }
    }

    [Theory]
    [InlineData(typeof(int), "+1")]
    [InlineData(typeof(int), "01")]
    [InlineData(typeof(int), "1.0")]
    [InlineData(typeof(int), "1e3")]
    [InlineData(typeof(int), "2147483648")]
    [InlineData(typeof(int), "-")]
    [InlineData(typeof(int), " 1")]
    [InlineData(typeof(long), "null")]
    [InlineData(typeof(double), "1.")]
    [InlineData(typeof(double), ".5")]
    [InlineData(typeof(double), "1e")]
    [InlineData(typeof(double), "\"NaN\"")]
    [InlineData(typeof(bool), "True")]
    [InlineData(typeof(string), "null")]
    [InlineData(typeof(string), "\"a\\\"b\"")]
    [InlineData(typeof(string), "\"unterminated")]
    public void Anything_else_is_left_to_System_Text_Json(Type type, string json)
    {
        Assert.False(PlainJson.TryRead(Encoding.UTF8.GetBytes(json), type, out _));

        // System.Text.Json then reads it or says why not, as it did before.
        object? expected;
        try
        {
            expected = JsonSerializer.Deserialize(json, type, Reflection);
        }
        catch (JsonException)
        {
            Assert.Throws<JsonException>(() => ArgumentCodec.Deserialize(Encoding.UTF8.GetBytes(json), type));
            return;
        }

        Assert.Equal(expected, ArgumentCodec.Deserialize(Encoding.UTF8.GetBytes(json), type));
    }

    [Theory]
    [InlineData(typeof(int), "-0", 0)]
    [InlineData(typeof(double), "1E+20", 1e20)]
    [InlineData(typeof(double), "2.5e-3", 2.5e-3)]
    [InlineData(typeof(double), "-0.0", -0.0)]
    public void Other_spellings_of_a_JSON_number_read_as_System_Text_Json_reads_them(Type type, string json, object expected)
    {
        var value = Convert.ChangeType(expected, type, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(PlainJson.TryRead(Encoding.UTF8.GetBytes(json), type, out var back));
        Assert.Equal(value, back);
        Assert.Equal(JsonSerializer.Deserialize(json, type, Reflection), back);
    }
}
