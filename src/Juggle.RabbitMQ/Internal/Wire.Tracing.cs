namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// The wire fields of cluster traces and node status, all in one place. Every one is optional: a message without
/// them is read as before, so nodes and clients of the same <see cref="Version"/> interoperate whether or not they
/// trace or report status.
/// </summary>
internal static partial class Wire
{
    /// <summary>Task message header: the W3C <c>tracestate</c> that goes with <see cref="TraceParentHeader"/> (the task's span in the client).</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>The most bytes of spans one answer entry carries (the spans the task recorded on the node, as a Spans frame); fewer spans are sent beyond it.</summary>
    public const int MaxSpansBytes = 64 * 1024;

    /// <summary>Message type of a node's periodic status (body: JSON, see <c>NodeStatus</c>).</summary>
    public const string Status = "juggle.status";

    /// <summary>The fanout exchange where nodes of task queue <paramref name="queue"/> publish their status: <c>{queue}.status</c>.</summary>
    public static string StatusExchange(string queue) => queue + ".status";
}
