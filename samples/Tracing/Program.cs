// Traces of a Juggle run: one span per task, under the span that submitted it, across threads and worker processes.
// Exports to the console; set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4317) to also send them over OTLP.
using System.Diagnostics;
using Juggle;
using Juggle.Samples.Server;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

await using var server = await LoopbackServer.StartAsync(
    SampleContent.BlogPosts.Select(post => SiteResource.Html(post.Path, post.Title)),
    latency: TimeSpan.FromMilliseconds(50));

var tracing = Sdk.CreateTracerProviderBuilder()
    .ConfigureResource(resource => resource.AddService("juggle-tracing-sample"))
    .AddSource(JuggleTelemetry.ActivitySourceName, "System.Net.Http", Work.SourceName)
    .AddConsoleExporter();
if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
{
    tracing.AddOtlpExporter(); // reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS
}

using (var provider = tracing.Build())
using (var root = Work.Source.StartActivity("fetch and square"))
{
    // Threads: each fetch is a task span; the HttpClient span inside it is its child.
    using (var threads = new ThreadPoolExecutor(maxWorkers: 4))
    {
        var pages = SampleContent.BlogPosts.Take(3).Select(post => threads.Submit(Work.Fetch, server.Url(post.Path).ToString())).ToList();
        foreach (var page in pages)
        {
            Console.WriteLine($"fetched {page.Result()} bytes");
        }
    }

    // Processes: the worker's spans (its run span, the HttpClient call it makes) travel back and join this trace.
    using (var processes = new ProcessPoolExecutor(maxWorkers: 2))
    {
        Console.WriteLine($"fetched in a worker: {processes.Submit(Work.Fetch, server.Url(SampleContent.BlogPosts[3].Path).ToString()).Result()} bytes");
        Console.WriteLine($"failed as expected: {processes.Submit(Work.Fail, 42).GetException()!.Message}");
    }

    Console.WriteLine($"trace id: {root?.TraceId}");
}

/// <summary>The tasks: static methods, so the process pool can run them too.</summary>
internal static class Work
{
    public const string SourceName = "Juggle.Samples.Tracing";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly HttpClient Http = new();

    public static int Fetch(string url) => Http.GetStringAsync(url).GetAwaiter().GetResult().Length;

    public static int Fail(int value) => throw new InvalidOperationException($"no good: {value}");
}
