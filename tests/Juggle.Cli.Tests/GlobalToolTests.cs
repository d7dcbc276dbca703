using Juggle.Tests.Shared;

namespace Juggle.Cli.Tests;

/// <summary>
/// Packs <c>src/Juggle.Cli</c> as the .NET tool ships (build/pack-tool.sh: the pointer package, the NativeAOT package
/// for linux-x64 and the portable fallback) into a local feed and installs it into a temporary tool path, once.
/// </summary>
public sealed class InstalledToolFixture : BuiltTool
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(15); // a NativeAOT pack while other test projects run on the same 2 cores

    public InstalledToolFixture()
        : base("juggle-tool-test")
    {
        var repo = RepositoryRoot.Find("to pack the tool");
        var packages = Path.Combine(Root, "packages");
        var tools = Path.Combine(Root, "tools");
        var project = Path.Combine(repo, "src", "Juggle.Cli", "Juggle.Cli.csproj");
        string[] common = ["-c", "Release", "-p:JuggleNativeTool=true", "-o", packages, "--artifacts-path", Path.Combine(Root, "artifacts"), "-nologo", "-v", "q"];
        Dotnet(StepTimeout, ["pack", project, .. common]);
        if (IsNativePlatform)
        {
            Dotnet(StepTimeout, ["pack", project, .. common, "-r", "linux-x64"]);
        }

        Dotnet(StepTimeout, ["pack", project, .. common, "-r", "any", "-p:PublishAot=false", "-p:JuggleReadyToRun=false"]);
        Packages = [.. Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Dotnet(StepTimeout, "tool", "install", "Juggle.Cli", "--tool-path", tools, "--add-source", packages);
        ToolPath = tools;
        Juggle = Path.Combine(tools, OperatingSystem.IsWindows() ? "juggle.exe" : "juggle");
        Assert.True(File.Exists(Juggle), $"{Juggle} is missing after 'dotnet tool install'");
    }

    /// <summary>Whether this machine gets the NativeAOT package (the only native RID the tool ships).</summary>
    public static bool IsNativePlatform => OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>The package files the local feed holds.</summary>
    public IReadOnlyList<string> Packages { get; }

    /// <summary>The tool path the tool was installed into (its package store is under <c>.store</c>).</summary>
    public string ToolPath { get; }

    /// <summary>The installed tool's launcher (the <c>juggle</c> shim a global tool puts on the PATH).</summary>
    public override string Juggle { get; }
}

/// <summary>
/// The process pool from an installed .NET tool: the tool's shim starts the app from the NuGet tool store, and the
/// pool must still find its worker host next to <c>Juggle.dll</c> and never re-run the tool's <c>Main</c>.
/// </summary>
public sealed class GlobalToolTests(InstalledToolFixture tool) : IClassFixture<InstalledToolFixture>
{
    [Fact]
    public async Task The_installed_tool_counts_words_in_worker_processes() =>
        BuiltTool.AssertTwoSmallBooksCounted(await RunToolAsync(["words", tool.WriteTwoSmallBooks(), "--json", "--mode", "processes", "-n", "2"]));

    [Fact]
    public void The_feed_holds_the_pointer_package_the_native_package_and_the_portable_fallback()
    {
        Assert.Contains("Juggle.Cli.0.1.0.nupkg", tool.Packages);
        Assert.Contains("Juggle.Cli.any.0.1.0.nupkg", tool.Packages);
        if (InstalledToolFixture.IsNativePlatform)
        {
            Assert.Contains("Juggle.Cli.linux-x64.0.1.0.nupkg", tool.Packages);
        }
    }

    [Fact]
    public async Task The_installed_tool_is_the_native_binary_on_linux_x64_and_prints_its_help()
    {
        var store = Path.Combine(tool.ToolPath, ".store");
        var files = Directory.GetFiles(store, "*", SearchOption.AllDirectories);
        var managed = files.Where(f => Path.GetFileName(f) == "Juggle.Cli.dll").ToList();
        if (InstalledToolFixture.IsNativePlatform)
        {
            // The native package carries one executable and no managed entry assembly to hand to a runtime.
            Assert.Empty(managed);
            var binary = Assert.Single(files, f => Path.GetFileName(f) == "Juggle.Cli");
            var header = new byte[4];
            using (var stream = File.OpenRead(binary))
            {
                stream.ReadExactly(header);
            }

            Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
        }
        else
        {
            Assert.NotEmpty(managed);
        }

        BuiltTool.AssertHelpListsEveryCommand(await RunToolAsync(["--help"]));
    }

    [Fact]
    public async Task The_installed_tool_runs_the_cpu_bench_in_worker_processes()
    {
        var (code, output, errors) = await RunToolAsync(["bench", "primes", "--mode", "processes", "-n", "200", "--workers", "2"]);
        Assert.True(code == 0, $"exit {code}\n{output}\n{errors}");
        Assert.Contains("processes", output + errors, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Errors)> RunToolAsync(string[] args) => tool.RunAsync(args, TimeSpan.FromSeconds(120));
}
