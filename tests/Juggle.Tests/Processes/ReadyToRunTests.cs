using System.Reflection.PortableExecutable;

namespace Juggle.Tests.Processes;

/// <summary>
/// Juggle.dll and the worker host ship precompiled (ReadyToRun): a new pool and every new worker run Juggle's code
/// without JIT-compiling it first.
/// </summary>
public sealed class ReadyToRunTests
{
    public static TheoryData<string> Assemblies => new()
    {
        typeof(ProcessPoolExecutor).Assembly.Location,
        Path.Combine(Path.GetDirectoryName(typeof(ProcessPoolExecutor).Assembly.Location)!, "Juggle.Worker.dll"),
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Juggle_and_its_worker_are_precompiled(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        var cor = reader.PEHeaders.CorHeader ?? throw new InvalidOperationException($"{path} is not a .NET assembly.");

        // ReadyToRun code is described by the managed native header (empty in an IL-only assembly).
        Assert.True(cor.ManagedNativeHeaderDirectory.Size > 0, $"{Path.GetFileName(path)} is not ReadyToRun-compiled.");
    }
}
