namespace Juggle.Remoting;

/// <summary>The first byte of every frame body.</summary>
internal enum MessageKind : byte
{
    /// <summary>Parent → worker: function id (Int32) and a <see cref="FunctionReference"/>; later calls name the id.</summary>
    Define = 1,

    /// <summary>Parent → worker: run the initializer (function id, or -1 for none); the worker answers InitOk or InitFailed.</summary>
    Init = 2,

    /// <summary>Parent → worker: task id (Int64), function id (Int32), argument count, each argument's JSON.</summary>
    Call = 3,

    /// <summary>Parent → worker: task id, function id, and the JSON array of a Map chunk's items.</summary>
    CallChunk = 4,

    /// <summary>Worker → parent: task id and the result's JSON.</summary>
    Result = 10,

    /// <summary>Worker → parent: task id and a <see cref="RemoteError"/>.</summary>
    Error = 11,

    /// <summary>Worker → parent: task id, item count, and per item a status byte then its JSON or its error.</summary>
    ChunkResult = 12,

    /// <summary>Worker → parent, first frame: protocol version and process id.</summary>
    Hello = 20,

    /// <summary>Worker → parent: the initializer succeeded (or there was none).</summary>
    InitOk = 21,

    /// <summary>Worker → parent: the initializer threw; a <see cref="RemoteError"/> follows.</summary>
    InitFailed = 22,
}
