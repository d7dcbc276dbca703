namespace Juggle.Worker;

/// <summary>The entry point of a ProcessPoolExecutor worker process started as <c>dotnet exec Juggle.Worker.dll</c>.</summary>
internal static class Program
{
    private static int Main() => WorkerMain.Run();
}
