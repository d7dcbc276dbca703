using System.Runtime.CompilerServices;

namespace Juggle.Tests.Shared;

/// <summary>Finds the repository root (the folder holding Juggle.sln), for tests that build or pack its projects.</summary>
internal static class RepositoryRoot
{
    /// <summary>
    /// Looks above the calling source file first (builds may put the test binaries anywhere), then above the test
    /// binaries and the working directory. <paramref name="purpose"/> ends the error message ("to pack the tool").
    /// </summary>
    public static string Find(string purpose, [CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "Juggle.sln")))
                {
                    return dir;
                }
            }
        }

        throw new InvalidOperationException($"Cannot find the repository root (Juggle.sln) {purpose}.");
    }
}
