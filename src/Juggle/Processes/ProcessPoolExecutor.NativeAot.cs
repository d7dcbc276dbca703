namespace Juggle;

/// <summary>What a NativeAOT app needs to be its own worker.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Why a NativeAOT app without the worker entry gets no process pool, and the two ways out.</summary>
    internal const string NativeAotWithoutWorkerEntry =
        "ProcessPoolExecutor runs a NativeAOT app as its own worker, and NativeAOT has no startup hook to enter worker mode before Main: " +
        "call ProcessPoolWorker.RunIfRequested() first thing in Main (pass your source-generated JsonSerializerContext for the functions' parameter and result types), " +
        "and keep each submitted function for reflection ([DynamicDependency] on the method that submits it). " +
        "Or publish without PublishAot: self-contained, single-file, trimmed and ReadyToRun publishes need none of this.";
}
