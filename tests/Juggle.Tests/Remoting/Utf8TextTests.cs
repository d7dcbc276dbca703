using System.Text;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>The ASCII shortcut writes and reads exactly the bytes and strings UTF-8 would.</summary>
public sealed class Utf8TextTests
{
    [Theory]
    [InlineData("")]
    [InlineData("Juggle.Tests, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null")]
    [InlineData("PATH=/usr/bin\u007f")]
    [InlineData("naïve ☃ 𝄞")]
    public void Matches_the_UTF8_encoding(string text)
    {
        var expected = Encoding.UTF8.GetBytes(text);
        Assert.Equal(expected.Length, Utf8Text.GetByteCount(text));
        var written = new byte[expected.Length];
        Assert.Equal(expected.Length, Utf8Text.Write(text, written));
        Assert.Equal(expected, written);

        var ascii = Utf8Text.TryReadAscii(expected, out var read);
        Assert.Equal(expected.All(b => b < 0x80), ascii);
        if (ascii)
        {
            Assert.Equal(text, read);
        }
    }

    [Fact]
    public void Long_ASCII_is_read_past_the_stack_buffer()
    {
        var text = new string('a', 1000);
        Assert.True(Utf8Text.TryReadAscii(Encoding.ASCII.GetBytes(text), out var read));
        Assert.Equal(text, read);
    }
}
