using System.Diagnostics;

namespace Juggle.Remoting;

/// <summary>
/// The optional W3C trace context at the end of a Call or CallChunk frame: two strings, <c>traceparent</c> and
/// <c>tracestate</c> (null when empty). A frame that ends after its arguments carries none, so frames written
/// without tracing stay valid.
/// </summary>
internal static class TraceContext
{
    /// <summary>The longest traceparent or tracestate accepted (W3C: 55 and 512 characters; generous for future versions).</summary>
    public const int MaxLength = 1024;

    public static byte[]? Encode((string TraceParent, string? TraceState)? trace) =>
        trace is { } t ? new FrameBuilder(64 + (t.TraceState?.Length ?? 0)).WriteString(t.TraceParent).WriteString(t.TraceState).ToArray() : null;

    /// <summary>Reads the trace context if the frame has one left; validates it as W3C (a bad one is dropped, never fatal to the task).</summary>
    public static ActivityContext? Read(ref FrameParser parser)
    {
        if (parser.Remaining == 0)
        {
            return null;
        }

        var traceParent = parser.ReadRequiredString("traceparent");
        var traceState = parser.ReadString();
        if (traceParent.Length > MaxLength || traceState?.Length > MaxLength)
        {
            throw new FrameException($"The trace context is longer than {MaxLength} characters.");
        }

        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : null;
    }
}
