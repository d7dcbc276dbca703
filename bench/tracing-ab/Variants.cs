using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace Juggle.TracingAB;

/// <summary>One build of Juggle.dll with its own copy of <see cref="Loop"/>.</summary>
internal sealed class Variant
{
    private readonly Func<int, double> _run;

    private readonly Func<bool> _traces;

    private Variant(string jugglePath, string commit, Func<int, double> run, Func<bool> traces)
    {
        _traces = traces;
        JugglePath = jugglePath;
        Commit = commit;
        _run = run;
    }

    public string JugglePath { get; }

    /// <summary>The commit the build came from (run.sh writes it into commit.txt beside Juggle.dll).</summary>
    public string Commit { get; }

    public double Run(int tasks) => _run(tasks);

    /// <summary>Whether this build starts a span for a task while a listener listens (false once the hooks are compiled out).</summary>
    public bool Traces() => _traces();

    public static Variant Load(string name, string directory)
    {
        var juggle = Path.GetFullPath(Path.Combine(directory, "Juggle.dll"));
        if (!File.Exists(juggle))
        {
            throw new FileNotFoundException($"No Juggle.dll in {directory}: build src/Juggle there first.", juggle);
        }

        var context = new VariantContext(name, juggle);
        var self = context.LoadFromAssemblyPath(typeof(Variant).Assembly.Location);
        var method = self.GetType(typeof(Loop).FullName!, throwOnError: true)!.GetMethod(nameof(Loop.Run), BindingFlags.Public | BindingFlags.Static)!;
        var run = method.CreateDelegate<Func<int, double>>();
        var loaded = self.GetType(typeof(Loop).FullName!)!.GetMethod(nameof(Loop.JuggleLocation))!.CreateDelegate<Func<string>>()();
        if (!string.Equals(Path.GetFullPath(loaded), juggle, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Variant {name} loaded {loaded} instead of {juggle}.");
        }

        var traces = self.GetType(typeof(Loop).FullName!)!.GetMethod(nameof(Loop.Traces))!.CreateDelegate<Func<bool>>();
        var commitFile = Path.Combine(directory, "commit.txt");
        var commit = File.Exists(commitFile) ? File.ReadAllText(commitFile).Trim() : "unknown";
        return new Variant(juggle, commit, run, traces);
    }

    private sealed class VariantContext(string name, string jugglePath) : AssemblyLoadContext($"variant {name}")
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == "Juggle" ? LoadFromAssemblyPath(jugglePath) : null;
    }
}

/// <summary>The measured loop: N no-op tasks submitted to a 2-worker pool, then every result read.</summary>
public static class Loop
{
    private static readonly Func<int> NoOp = static () => 0;
    private static Juggle.ThreadPoolExecutor? s_executor;
    private static Juggle.Future<int>[] s_futures = [];

    public static string JuggleLocation() => typeof(Juggle.Executor).Assembly.Location;

    /// <summary>Runs one task while a listener records the Juggle source; true if that task got a span.</summary>
    public static bool Traces()
    {
        var started = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Juggle",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => Interlocked.Increment(ref started),
        };
        ActivitySource.AddActivityListener(listener);
        using var executor = new Juggle.ThreadPoolExecutor(maxWorkers: 1);
        executor.Submit(NoOp).Result();
        return Volatile.Read(ref started) > 0;
    }

    /// <summary>Runs the loop once and returns nanoseconds per task.</summary>
    public static double Run(int tasks)
    {
        if (s_executor is null)
        {
            s_executor = new Juggle.ThreadPoolExecutor(maxWorkers: 2);
            s_executor.Submit(NoOp).Result();
            s_executor.Submit(NoOp).Result();
        }

        if (s_futures.Length != tasks)
        {
            s_futures = new Juggle.Future<int>[tasks];
        }

        var executor = s_executor;
        var futures = s_futures;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < futures.Length; i++)
        {
            futures[i] = executor.Submit(NoOp);
        }

        long sum = 0;
        for (var i = 0; i < futures.Length; i++)
        {
            sum += futures[i].Result();
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        Array.Clear(futures);
        return sum == 0 ? elapsed.TotalNanoseconds / tasks : throw new InvalidOperationException("A no-op returned non-zero.");
    }
}

/// <summary>Tracing on: an ActivityListener that records every span of the Juggle source.</summary>
internal static class Tracing
{
    public static IDisposable Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Juggle",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
