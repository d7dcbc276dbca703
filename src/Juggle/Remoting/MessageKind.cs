namespace Juggle.Remoting;

/// <summary>The first byte of every frame body.</summary>
internal enum MessageKind : byte
{
    /// <summary>Parent → worker: function id (Int32) and a <see cref="FunctionReference"/>; later calls name the id.</summary>
    Define = 1,

    /// <summary>
    /// Parent → worker: run the initializer (function id, or -1 for none), then the largest frame the parent reads
    /// (Int32); the worker answers InitOk or InitFailed.
    /// </summary>
    Init = 2,

    /// <summary>
    /// Parent → worker: task id (Int64), function id (Int32), argument count, each argument's JSON; optionally followed
    /// by the task's W3C trace context (traceparent, tracestate strings).
    /// </summary>
    Call = 3,

    /// <summary>Parent → worker: task id, function id, the JSON array of a Map chunk's items, and the optional trace context.</summary>
    CallChunk = 4,

    /// <summary>
    /// Parent → worker, out of band: task id of a call already sent; skip it if it has not started. Handled on the
    /// worker's reader thread, which answers at once with <see cref="CancelAck"/>.
    /// </summary>
    Cancel = 5,

    /// <summary>Parent → worker: task id of a call withdrawn before it was sent, in its place; answered <see cref="Skipped"/>.</summary>
    Skip = 6,

    /// <summary>Worker → parent: task id and the result's JSON.</summary>
    Result = 10,

    /// <summary>Worker → parent: task id and a <see cref="RemoteError"/>.</summary>
    Error = 11,

    /// <summary>Worker → parent: task id, item count, and per item a status byte then its JSON or its error.</summary>
    ChunkResult = 12,

    /// <summary>Worker → parent, in order with the answers: task id of a call that did not run (cancelled or withdrawn).</summary>
    Skipped = 13,

    /// <summary>Worker → parent, out of band: task id and a byte, 1 when the call will be skipped, 0 when it had already started.</summary>
    CancelAck = 14,

    /// <summary>Worker → parent: a stream number (1 = standard output) and UTF-8 text the worker's code printed.</summary>
    Output = 15,

    /// <summary>
    /// Worker → parent, just before the answer to a traced call: task id, then the spans recorded in the worker while
    /// it ran (see <see cref="RemoteSpans"/>), which the parent re-emits into its own trace.
    /// </summary>
    Spans = 16,

    /// <summary>Worker → parent, first frame: protocol version and process id.</summary>
    Hello = 20,

    /// <summary>Worker → parent: the initializer succeeded (or there was none).</summary>
    InitOk = 21,

    /// <summary>Worker → parent: the initializer threw; a <see cref="RemoteError"/> follows.</summary>
    InitFailed = 22,
}
