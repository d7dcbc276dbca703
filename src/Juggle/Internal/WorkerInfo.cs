namespace Juggle.Internal;

/// <summary>A live worker of an executor, for the dashboard: a thread (its managed id) or a process (its id).</summary>
internal sealed record WorkerInfo(string Name, int ProcessId, int ThreadId, bool Busy);
