using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Juggle.Internal;

/// <summary>
/// Starts worker threads with libc's <c>pthread_create</c> on Linux. <see cref="Thread.Start()"/> waits until the new
/// thread has started and set itself up, about 0.3 ms per thread on a small machine, so a fan-out of 100 threads
/// spends 30 ms before its last task can run; a thread the runtime first meets when it calls into managed code costs
/// the starter about half of that and nothing more. Such threads are background threads, as the workers are.
/// </summary>
/// <remarks>
/// Elsewhere, when libc cannot be called, when <c>pthread_create</c> fails (the caller then starts a
/// <see cref="Thread"/>, which reports the failure as .NET does), when the app sets a default stack size for its threads
/// (<c>System.Threading.DefaultStackSize</c>, <c>DOTNET_DefaultStackSize</c>), or with <c>JUGGLE_THREAD_START=managed</c>
/// in the environment, <see cref="TryStart"/> returns <see langword="false"/>.
/// </remarks>
internal static unsafe partial class NativeThreadStart
{
    /// <summary>The environment variable that, set to <c>managed</c>, starts every worker as a <see cref="Thread"/>.</summary>
    public const string Variable = "JUGGLE_THREAD_START";

    private static long s_started;

    /// <summary>Whether <see cref="TryStart"/> uses <c>pthread_create</c>; tests turn it off to cover the other path.</summary>
    public static bool Enabled { get; set; } = EnabledFor(
        OperatingSystem.IsLinux() && Environment.Is64BitProcess,
        Environment.GetEnvironmentVariable,
        AppContext.GetData("System.Threading.DefaultStackSize"));

    /// <summary>How many threads this process started through <c>pthread_create</c>.</summary>
    public static long Started => Interlocked.Read(ref s_started);

    /// <summary>Runs <paramref name="body"/> on a new detached OS thread; <see langword="false"/> if none was started.</summary>
    public static bool TryStart(Action body)
    {
        if (!Enabled)
        {
            return false;
        }

        var handle = GCHandle.Alloc(body);
        nuint thread = 0;
        int error;
        try
        {
            error = PthreadCreate(&thread, null, &Entry, (void*)GCHandle.ToIntPtr(handle));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc or musl after all: every later thread goes the managed way.
            Enabled = false;
            error = -1;
        }

        if (error != 0)
        {
            handle.Free();
            return false;
        }

        // Detached: its resources go back to the system when it returns, as nothing joins it.
        _ = PthreadDetach(thread);
        Interlocked.Increment(ref s_started);
        return true;
    }

    /// <summary>The rule behind <see cref="Enabled"/>'s first value, given the platform, the environment and the runtime setting.</summary>
    internal static bool EnabledFor(bool linux64, Func<string, string?> environment, object? stackSizeSetting) =>
        linux64 &&
        environment(Variable) != "managed" &&
        // A stack size set for the app's threads applies to Thread only; then every worker is one, so it gets that size.
        stackSizeSetting is null &&
        environment("DOTNET_DefaultStackSize") is null &&
        environment("COMPlus_DefaultStackSize") is null;

    [UnmanagedCallersOnly]
    private static void* Entry(void* argument)
    {
        var handle = GCHandle.FromIntPtr((nint)argument);
        var body = (Action)handle.Target!;
        handle.Free();
        try
        {
            body();
        }
#pragma warning disable CA1031 // Rethrown below, where it ends the process as on a managed thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // An exception leaving a method called from native code would end the process without the usual report;
            // a managed thread rethrows it, so the process ends as it would have on a Thread, with the original trace.
            var captured = ExceptionDispatchInfo.Capture(ex);
            new Thread(() => captured.Throw()) { IsBackground = true }.UnsafeStart();
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "pthread_create")]
    private static partial int PthreadCreate(nuint* thread, void* attributes, delegate* unmanaged<void*, void*> start, void* argument);

    [LibraryImport("libc", EntryPoint = "pthread_detach")]
    private static partial int PthreadDetach(nuint thread);
}
