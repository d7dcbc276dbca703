namespace Juggle;

/// <summary>The pool's generic code over common types, precompiled into Juggle.dll.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>
    /// Never called. ReadyToRun compiles the generic instantiations a method's body names when their type arguments
    /// are Juggle's own types or primitives (or reference types, whose code is shared), so naming the pool's
    /// <c>Submit</c> and <c>Map</c> paths here puts them in Juggle.dll's native image for functions from and to
    /// <see langword="int"/>, <see langword="long"/>, <see langword="double"/> and any reference type. An app's first
    /// pool then runs that code precompiled instead of JIT-compiling ~90 methods on its first Submit and Map and
    /// running them unoptimised at first (other value types still are). The generic virtual calls are named too: their
    /// targets are not found from the callers.
    /// </summary>
    internal static void PrecompileCommonPaths(ProcessPoolExecutor pool)
    {
        PrecompilePath<int>(pool);
        PrecompilePath<long>(pool);
        PrecompilePath<double>(pool);
        PrecompilePath<string>(pool);
    }

    private static void PrecompilePath<T>(ProcessPoolExecutor pool)
    {
        Func<T, T> fn = static x => x;
        _ = pool.Submit(fn, default!).Result();
        pool.ValidateWork<T>(null!);
        _ = CallRecord.Prepare<T>(null!, 0);
        foreach (var result in pool.Map(fn, Array.Empty<T>()))
        {
            _ = result;
        }

        _ = CallRecord.CreateChunkCallForPrecompile<T, T>();
    }
}
