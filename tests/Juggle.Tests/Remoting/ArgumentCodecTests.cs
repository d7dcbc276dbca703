using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

public sealed class ArgumentCodecTests
{
    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(string))]
    [InlineData(typeof(int[]))]
    [InlineData(typeof(List<ContractPoint>))]
    [InlineData(typeof(Dictionary<string, double>))]
    [InlineData(typeof((int, string)))]
    [InlineData(typeof(ContractPoint))]
    public void Data_types_are_supported(Type type) => Assert.Null(ArgumentCodec.GetUnsupportedReason(type));

    [Theory]
    [InlineData(typeof(object), "JsonElement")]
    [InlineData(typeof(Func<int>), "delegate")]
    [InlineData(typeof(Stream), "resource")]
    [InlineData(typeof(Task<int>), "task")]
    [InlineData(typeof(IntPtr), "pointers")]
    [InlineData(typeof(Exception), "exceptions")]
    [InlineData(typeof(List<Action>), "delegate")]
    [InlineData(typeof(IComparable), "abstract")]
    public void Process_bound_types_are_refused_with_the_reason(Type type, string reason) =>
        Assert.Contains(reason, ArgumentCodec.GetUnsupportedReason(type));

    [Fact]
    public void Values_round_trip_including_tuples_and_NaN()
    {
        var json = ArgumentCodec.SerializeChecked((3, "x", double.NaN), typeof((int, string, double)), "value", "arg");
        var back = ((int, string, double))ArgumentCodec.Deserialize(json, typeof((int, string, double)))!;
        Assert.Equal(3, back.Item1);
        Assert.Equal("x", back.Item2);
        Assert.True(double.IsNaN(back.Item3));
    }

    [Fact]
    public void A_type_that_cannot_be_read_back_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ArgumentCodec.SerializeChecked(new NotSerialisable(1, 2), typeof(NotSerialisable), "Argument 1", "arg"));
        Assert.Contains("cannot be read back", ex.Message);
        Assert.Equal("arg", ex.ParamName);
    }
}
