namespace Juggle.Remoting;

/// <summary>Why the out-of-process executors are not trim- or AOT-safe by construction, and what an app does about it.</summary>
internal static class TrimMessages
{
    /// <summary>The warning an app sees where it creates a <c>ProcessPoolExecutor</c>.</summary>
    public const string Reflection =
        "ProcessPoolExecutor names each submitted function by reflection (assembly, type, method) and serialises its arguments and result " +
        "with reflection-based System.Text.Json. The functions themselves survive trimming (the Submit/Map call site references them), " +
        "but the public constructors, properties and fields of their parameter and result types must too: use types the app also builds " +
        "and reads itself, or keep them with [DynamicallyAccessedMembers]/[DynamicDependency]. See the README's publish section.";

    /// <summary>The AOT side of <see cref="Reflection"/>.</summary>
    public const string DynamicCode =
        "ProcessPoolExecutor calls submitted functions through reflection and builds JSON contracts and generic chunk runners for their " +
        "parameter and result types at run time, which NativeAOT can only do for what the app keeps: under PublishAot call " +
        "ProcessPoolWorker.RunIfRequested(yourJsonContext) first in Main and keep each function with [DynamicDependency] (see the README's NativeAOT section), " +
        "or publish self-contained, single-file, trimmed or ReadyToRun (the app then runs as its own worker).";

    /// <summary>Why the worker entry point (the startup hook) may call the reflection-based serve loop.</summary>
    public const string WorkerEntry =
        "Runs only in a process a ProcessPoolExecutor started as its worker; the executor's constructor carries the trim and AOT warnings to the app.";
}
