using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Juggle.Docs.Tests;

/// <summary>
/// The assemblies a block needs beyond Microsoft.NETCore.App: Juggle.dll, any named in a
/// <c>&lt;!-- references: ... --&gt;</c> comment, and what they reference, found in this test's output folder or
/// where the test host loads them from (the ASP.NET Core shared framework, for Juggle.Cli's sake).
/// </summary>
internal static class AssemblyClosure
{
    private static readonly string s_coreFramework = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory()).TrimEnd(Path.DirectorySeparatorChar);

    private static readonly Lazy<Dictionary<string, string>> s_trusted = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase));

    /// <summary>Where the ASP.NET Core shared framework lives, if the test host runs on it.</summary>
    public static string? AspNetCoreFramework { get; } =
        s_trusted.Value.TryGetValue("Microsoft.AspNetCore", out var path) ? Path.GetDirectoryName(path) : null;

    /// <summary>Every assembly of Microsoft.NETCore.App, as the test host has them.</summary>
    public static IEnumerable<string> CoreFramework() =>
        s_trusted.Value.Values.Where(p => string.Equals(Path.GetDirectoryName(Path.GetFullPath(p)), s_coreFramework, StringComparison.Ordinal));

    /// <summary>
    /// The files of <paramref name="names"/> and of everything they reference outside Microsoft.NETCore.App, and
    /// whether any of them comes from the ASP.NET Core shared framework. Throws naming an assembly not found.
    /// </summary>
    public static (IReadOnlyList<string> Files, bool UsesAspNetCore) Of(IEnumerable<string> names)
    {
        var files = new List<string>();
        var usesAspNetCore = false;
        var pending = new Queue<(string Name, bool Required)>(names.Select(n => (n, true)));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (pending.TryDequeue(out var next))
        {
            if (!seen.Add(next.Name))
            {
                continue;
            }

            var path = Locate(next.Name);
            if (path is null)
            {
                if (next.Required)
                {
                    throw new InvalidOperationException($"Assembly '{next.Name}' is not in {AppContext.BaseDirectory}: reference its package or project from tests/Juggle.Docs.Tests/Juggle.Docs.Tests.csproj.");
                }

                continue;
            }

            if (string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), s_coreFramework, StringComparison.Ordinal))
            {
                continue;
            }

            usesAspNetCore |= AspNetCoreFramework is not null && string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), AspNetCoreFramework, StringComparison.Ordinal);
            files.Add(path);
            using var pe = new PEReader(File.OpenRead(path));
            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                pending.Enqueue((metadata.GetString(metadata.GetAssemblyReference(handle).Name), false));
            }
        }

        return (files, usesAspNetCore);
    }

    private static string? Locate(string name)
    {
        var local = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        return File.Exists(local) ? local : s_trusted.Value.GetValueOrDefault(name);
    }
}
