using System.Text;
using System.Text.Json;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// A chunk is answered item by item by a typed runner when the function's shape allows one, and through reflection
/// otherwise (process workers and cluster nodes alike): both must give each item the same status and error.
/// </summary>
public sealed class ChunkRunnerTests
{
    private static readonly int[] Items = [3, -1, 0, 5];

    [Fact]
    public void The_typed_runner_and_the_reflective_path_answer_every_item_alike()
    {
        var method = typeof(ChunkRunnerTests).GetMethod(nameof(Describe))!;
        var signature = new FunctionSignature(method);
        var runner = ChunkRunner.TryCreate(signature, null);
        Assert.NotNull(runner);

        var typed = Answer(builder => runner.Run(Items, builder, new Utf8JsonWriter(Stream.Null)));
        var reflective = Answer(builder => ChunkRunner.RunEach(signature, null, Items, builder, new Utf8JsonWriter(Stream.Null)));

        Assert.Equal(typed, reflective);
        AssertAnswers(typed);
    }

    [Fact]
    public void A_function_no_typed_runner_can_call_still_answers_each_item()
    {
        var method = typeof(ChunkRunnerTests).GetMethod(nameof(DescribeLater))!;
        var signature = new FunctionSignature(method);
        Assert.Null(ChunkRunner.TryCreate(signature, null));

        var answers = Answer(builder => ChunkRunner.RunEach(signature, null, Items, builder, new Utf8JsonWriter(Stream.Null)));

        AssertAnswers(answers);
    }

    /// <summary>A Map function: a string for positive items, an error for negative ones, a result JSON cannot write for 0.</summary>
    public static object Describe(int n) => n switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(n), n, "negative"),
        0 => typeof(int), // System.Type is not serialisable as JSON
        _ => "item " + n,
    };

    /// <summary><see cref="Describe"/> as an async function: no typed runner takes it.</summary>
    public static async Task<object> DescribeLater(int n)
    {
        await Task.Yield();
        return Describe(n);
    }

    private static void AssertAnswers(List<string> answers)
    {
        Assert.Equal(Items.Length, answers.Count);
        Assert.Equal("ok \"item 3\"", answers[0]);
        Assert.StartsWith("failed System.ArgumentOutOfRangeException: negative", answers[1], StringComparison.Ordinal);
        Assert.StartsWith("failed System.NotSupportedException: " + ChunkRunner.ResultNotSent + ": ", answers[2], StringComparison.Ordinal);
        Assert.Equal("ok \"item 5\"", answers[3]);
    }

    private static List<string> Answer(Action<FrameBuilder> run)
    {
        var builder = new FrameBuilder(256);
        run(builder);
        var parser = new FrameParser(builder.ToArray());
        var answers = new List<string>();
        for (var i = 0; i < Items.Length; i++)
        {
            answers.Add(parser.ReadByte() == WorkerHost.ItemSucceeded
                ? "ok " + Encoding.UTF8.GetString(parser.ReadBytes())
                : Failed(ref parser));
        }

        parser.EnsureEnd();
        return answers;
    }

    private static string Failed(ref FrameParser parser)
    {
        var error = RemoteError.Read(ref parser);
        return "failed " + error.TypeName + ": " + error.Message;
    }
}
