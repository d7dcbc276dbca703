using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Juggle.Internal;
using Juggle.Remoting;

namespace Juggle;

/// <summary>
/// The worker entry of a NativeAOT app (Python's <c>multiprocessing.freeze_support()</c>): call
/// <see cref="RunIfRequested"/> first thing in <c>Main</c>. In a worker process a <see cref="ProcessPoolExecutor"/>
/// started, it serves the pool and exits; in the app it returns at once and lets process pools start this app as
/// their worker. Other apps need not call it (their workers start without running <c>Main</c>), but may.
/// </summary>
public static class ProcessPoolWorker
{
    /// <summary>
    /// Serves as a process-pool worker and exits the process when this process is one; otherwise returns at once.
    /// <paramref name="jsonTypeInfoResolver"/> (a source-generated <c>JsonSerializerContext</c>) supplies the JSON
    /// contracts of the functions' parameter and result types, in the app and in its workers alike; types it does not
    /// cover fall back to reflection, which NativeAOT may not be able to do for them.
    /// </summary>
    /// <exception cref="InvalidOperationException">A process pool already serialised something in this process with other contracts.</exception>
    public static void RunIfRequested(IJsonTypeInfoResolver? jsonTypeInfoResolver = null) => RunIfRequestedCore(jsonTypeInfoResolver);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimMessages.WorkerEntry)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = TrimMessages.WorkerEntry)]
    private static void RunIfRequestedCore(IJsonTypeInfoResolver? jsonTypeInfoResolver)
    {
        if (jsonTypeInfoResolver is not null && !ArgumentCodec.TryUseResolver(jsonTypeInfoResolver))
        {
            throw new InvalidOperationException(
                "ProcessPoolWorker.RunIfRequested was given JSON contracts after a process pool had already serialised arguments in this process; call it first thing in Main.");
        }

        SelfWorker.AppCallsWorkerEntry = true;
        SelfWorker.RunIfRequested();
    }
}
