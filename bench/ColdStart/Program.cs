using System.Diagnostics;
using System.Globalization;
using Juggle;

// The first executor of a process: `workers` tasks that each sleep `sleepMs`, on ThreadPoolExecutor(workers),
// timed from before the constructor to the last result (the brief's figure), with the submits and the Dispose
// timed apart, and when the first and the last task began running. Prints one JSON line; run once per fresh process.
var workers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var sleepMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;

var jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
var jitTimeBefore = System.Runtime.JitInfo.GetCompilationTime();
var start = Stopwatch.GetTimestamp();
var pool = new ThreadPoolExecutor(workers);
var constructed = Stopwatch.GetTimestamp();
var futures = new Future<int>[workers];
var starts = new long[workers];
var firstSubmit = 0L;
for (var i = 0; i < workers; i++)
{
    if (i == 1)
    {
        firstSubmit = Stopwatch.GetTimestamp();
    }

    var n = i;
    futures[i] = pool.Submit(() =>
    {
        starts[n] = Stopwatch.GetTimestamp();
        Thread.Sleep(sleepMs);
        return n;
    });
}

var submitted = Stopwatch.GetTimestamp();
long sum = 0;
foreach (var future in futures)
{
    sum += future.Result();
}

var done = Stopwatch.GetTimestamp();
var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore;
var jitTime = System.Runtime.JitInfo.GetCompilationTime() - jitTimeBefore;
pool.Dispose();
var disposed = Stopwatch.GetTimestamp();

if (sum != (long)workers * (workers - 1) / 2)
{
    Console.Error.WriteLine($"Wrong sum {sum}.");
    return 1;
}

static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{{\"workers\": {workers}, \"sleep_ms\": {sleepMs}, \"construct_ms\": {Ms(start, constructed):0.###}, \"first_submit_ms\": {Ms(constructed, firstSubmit):0.###}, \"submit_ms\": {Ms(start, submitted):0.###}, \"total_ms\": {Ms(start, done):0.###}, \"dispose_ms\": {Ms(done, disposed):0.###}, \"first_start_ms\": {Ms(start, starts.Min()):0.###}, \"last_start_ms\": {Ms(start, starts.Max()):0.###}, \"jit_methods\": {jitMethods}, \"jit_ms\": {jitTime.TotalMilliseconds:0.###}}}"));
return 0;
