using System.Diagnostics;

namespace Juggle.Tests;

/// <summary>Static functions for traced tasks (the process pool runs only static methods).</summary>
public static class TracedFunctions
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GETs <paramref name="url"/> (a loopback server) and returns the worker's process id.</summary>
    public static int Fetch(string url)
    {
        using var response = s_http.GetAsync(url).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return Environment.ProcessId;
    }

    /// <summary>The span current inside the task, as "traceId-spanId".</summary>
    public static string CurrentSpan(int unused) => Activity.Current is { } a ? $"{a.TraceId}-{a.SpanId}" : "none";

    public static int Fail(int value) => throw new InvalidOperationException($"boom {value}");
}
