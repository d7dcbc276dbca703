using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>A worker asks to start a task: its id, the worker's claim id (named again in the grant and in a cancel), and whether the broker redelivered it.</summary>
internal readonly record struct ClaimEntry(long TaskId, long ClaimId, bool Redelivered);

/// <summary>
/// The client's decision on one claim: run it (go) or drop it (skip); <paramref name="Alone"/> (with go) when the task
/// was running on a node that went away, so it runs alone on its node.
/// </summary>
internal readonly record struct GrantEntry(long ClaimId, bool Go, bool Alone = false);

/// <summary>
/// The batched bodies of claims, grants and answers. Each is a count, then its entries (little-endian, as the process
/// pool's frames); one message carries the entries of one client (claims, answers) or one worker (grants). A claim
/// entry is task id, claim id and a redelivered flag; a grant entry is claim id and go (1), go alone (2) or skip (0); an answer
/// entry is the worker's Result, Error or ChunkResult frame and the task's Spans frame (empty when not traced).
/// </summary>
internal static partial class Wire
{
    /// <summary>The bytes an answer entry takes besides its answer and spans (their two lengths).</summary>
    public const int AnswerEntryOverhead = 8;

    /// <summary>The bytes of an answer batch's count.</summary>
    public const int BatchHeader = 4;

    public static byte[] WriteClaims(IReadOnlyList<ClaimEntry> claims)
    {
        var builder = new FrameBuilder(BatchHeader + (claims.Count * 17));
        builder.WriteInt32(claims.Count);
        foreach (var claim in claims)
        {
            builder.WriteInt64(claim.TaskId).WriteInt64(claim.ClaimId).WriteByte(claim.Redelivered ? (byte)1 : (byte)0);
        }

        return builder.ToArray();
    }

    /// <summary>Reads a claim batch; throws <see cref="FrameException"/> for anything malformed.</summary>
    public static ClaimEntry[] ReadClaims(ReadOnlySpan<byte> body)
    {
        var parser = new FrameParser(body);
        var claims = new ClaimEntry[parser.ReadCount(17, "claim")];
        for (var i = 0; i < claims.Length; i++)
        {
            claims[i] = new ClaimEntry(parser.ReadInt64(), parser.ReadInt64(), parser.ReadByte() != 0);
        }

        parser.EnsureEnd();
        return claims;
    }

    public static byte[] WriteGrants(IReadOnlyList<GrantEntry> grants)
    {
        var builder = new FrameBuilder(BatchHeader + (grants.Count * 9));
        builder.WriteInt32(grants.Count);
        foreach (var grant in grants)
        {
            builder.WriteInt64(grant.ClaimId).WriteByte(!grant.Go ? (byte)0 : grant.Alone ? (byte)2 : (byte)1);
        }

        return builder.ToArray();
    }

    /// <summary>Reads a grant batch; throws <see cref="FrameException"/> for anything malformed.</summary>
    public static GrantEntry[] ReadGrants(ReadOnlySpan<byte> body)
    {
        var parser = new FrameParser(body);
        var grants = new GrantEntry[parser.ReadCount(9, "grant")];
        for (var i = 0; i < grants.Length; i++)
        {
            var id = parser.ReadInt64();
            var decision = parser.ReadByte();
            grants[i] = new GrantEntry(id, decision != 0, decision == 2);
        }

        parser.EnsureEnd();
        return grants;
    }

    /// <summary>Appends one answer entry to an answer batch whose count is written last (<see cref="FinishAnswers"/>).</summary>
    public static void WriteAnswer(FrameBuilder builder, ReadOnlySpan<byte> answer, ReadOnlySpan<byte> spans) =>
        builder.WriteBytes(answer).WriteBytes(spans);

    /// <summary>Starts an answer batch: room for its count.</summary>
    public static FrameBuilder StartAnswers(FrameBuilder builder) => builder.Reset().WriteInt32(0);

    /// <summary>Writes the count of an answer batch started with <see cref="StartAnswers"/>; returns the body.</summary>
    public static byte[] FinishAnswers(FrameBuilder builder, int count)
    {
        var body = builder.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(body, count);
        return body;
    }

    /// <summary>Reads an answer batch into (answer, spans) pairs; spans are <see langword="null"/> when absent. Throws <see cref="FrameException"/> for anything malformed.</summary>
    public static (byte[] Answer, byte[]? Spans)[] ReadAnswers(ReadOnlySpan<byte> body)
    {
        var parser = new FrameParser(body);
        var answers = new (byte[], byte[]?)[parser.ReadCount(AnswerEntryOverhead, "answer")];
        for (var i = 0; i < answers.Length; i++)
        {
            var answer = parser.ReadBytes().ToArray();
            var spans = parser.ReadBytes();
            answers[i] = (answer, spans.IsEmpty ? null : spans.ToArray());
        }

        parser.EnsureEnd();
        return answers;
    }
}
