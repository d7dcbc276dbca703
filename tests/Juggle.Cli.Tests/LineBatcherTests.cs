using Juggle.Cli.Reporting;

namespace Juggle.Cli.Tests;

public sealed class LineBatcherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Lines_come_out_in_order_in_few_writes_and_flush_writes_the_rest()
    {
        var target = new CountingWriter();
        using (var lines = new LineBatcher(target))
        {
            for (var i = 0; i < 1000; i++)
            {
                lines.WriteLine($"{{\"url\":\"http://127.0.0.1/page/{i}\",\"title\":\"Page {i}\"}}");
            }

            lines.Flush();
            Assert.Equal(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"url\":\"http://127.0.0.1/page/{i}\",\"title\":\"Page {i}\"}}{target.NewLine}")), target.Text);
            // ~50 KB of lines: a write per 16 KB batch, not one per line.
            Assert.InRange(target.Writes, 1, 10);
        }
    }

    [Fact]
    public void A_lone_line_is_written_within_the_delay_without_another_call()
    {
        var target = new CountingWriter();
        using var lines = new LineBatcher(target);

        lines.WriteLine("first");

        Assert.True(target.Written.Wait(Patience), "the line was never written");
        Assert.Equal("first" + target.NewLine, target.Text);
    }

    [Fact]
    public void Dispose_writes_what_is_left_and_a_failed_timed_write_is_thrown_on_the_next_call()
    {
        var target = new CountingWriter();
        using (var lines = new LineBatcher(target))
        {
            lines.WriteLine("kept");
        }

        Assert.Equal("kept" + target.NewLine, target.Text);

        var broken = new CountingWriter { Fail = true };
        using var failing = new LineBatcher(broken);
        failing.WriteLine("lost");
        Assert.True(broken.Written.Wait(Patience), "the timed write never ran");
        Assert.Throws<IOException>(() => failing.WriteLine("next"));
        Assert.Throws<IOException>(failing.Flush);
    }

    private sealed class CountingWriter : StringWriter
    {
        public ManualResetEventSlim Written { get; } = new();

        public bool Fail { get; init; }

        public int Writes { get; private set; }

        public string Text => ToString();

        public override void Write(string? value)
        {
            Writes++;
            Written.Set();
            if (Fail)
            {
                throw new IOException("Broken pipe");
            }

            base.Write(value);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Written.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
