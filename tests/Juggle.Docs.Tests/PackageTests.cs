using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Juggle.Tests.Shared;

namespace Juggle.Docs.Tests;

/// <summary>
/// Packs the library as a user would get it (<c>dotnet pack src/Juggle</c>, built into a private folder) and reads
/// the .nupkg: its metadata, what ships in lib/net10.0, and a README whose links work on a package page.
/// </summary>
public sealed partial class PackageTests : IDisposable
{
    private const string RepositoryUrl = "https://git.example.test/juggle";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("juggle-pack-");

    [Fact]
    public void The_package_names_its_repository_ships_the_worker_and_its_readme_has_no_relative_links()
    {
        var repo = RepositoryRoot.Find("to pack the library");
        var withUrl = Pack(repo, "with-url", build: true, $"-p:JuggleRepositoryUrl={RepositoryUrl}");
        var withoutUrl = Pack(repo, "without-url", build: false, "-p:JuggleRepositoryUrl=");

        using (var package = ZipFile.OpenRead(withUrl))
        {
            var metadata = Metadata(package);
            XNamespace ns = metadata.Name.Namespace;
            Assert.Equal("Juggle", metadata.Element(ns + "id")?.Value);
            Assert.Contains("concurrent.futures", metadata.Element(ns + "description")?.Value, StringComparison.Ordinal);
            Assert.Contains("net10.0", metadata.Element(ns + "description")?.Value, StringComparison.Ordinal);
            Assert.Contains("concurrency", (metadata.Element(ns + "tags")?.Value ?? string.Empty).Split(' '));
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal(RepositoryUrl, metadata.Element(ns + "projectUrl")?.Value);
            var repository = metadata.Element(ns + "repository");
            Assert.NotNull(repository);
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.Equal(RepositoryUrl, repository.Attribute("url")?.Value);
            Assert.Contains(metadata.Descendants(ns + "group"), g => g.Attribute("targetFramework")?.Value == "net10.0");

            var files = package.Entries.Select(e => e.FullName).ToList();
            foreach (var shipped in new[] { "lib/net10.0/Juggle.dll", "lib/net10.0/Juggle.Worker.dll", "lib/net10.0/Juggle.Worker.runtimeconfig.json", "README.md" })
            {
                Assert.Contains(shipped, files);
            }

            var readme = Readme(package);
            Assert.Empty(RelativeLinks(readme));
            Assert.Contains($"({RepositoryUrl}/blob/main/src/Juggle.Cli/README.md)", readme, StringComparison.Ordinal);
            Assert.Contains($"({RepositoryUrl}/tree/main/samples/Titles)", readme, StringComparison.Ordinal);
            Assert.Contains("## Use it in your app", readme, StringComparison.Ordinal);
        }

        using (var package = ZipFile.OpenRead(withoutUrl))
        {
            var metadata = Metadata(package);
            // The SDK still records the commit it was packed from; no address is made up.
            Assert.Null(metadata.Element(metadata.Name.Namespace + "repository")?.Attribute("url"));
            Assert.Null(metadata.Element(metadata.Name.Namespace + "projectUrl"));
            var readme = Readme(package);
            Assert.Empty(RelativeLinks(readme));
            Assert.Contains("see [`src/Juggle.Cli/README.md`]", File.ReadAllText(Path.Combine(repo, "README.md")), StringComparison.Ordinal);
            Assert.Contains("see `src/Juggle.Cli/README.md`", readme, StringComparison.Ordinal); // the link's text stays
        }
    }

    [Fact]
    public void Relative_link_finder_sees_inline_reference_and_html_links_but_not_absolute_ones_or_anchors()
    {
        const string text = """
            [a](docs/x.md) [b](https://x.test/y) [c](#here) ![d](img/p.png "t")
            [e]: ../up.md
            [f]: https://x.test/
            <a href="samples/">g</a> <img src="https://x.test/i.png">
            """;

        Assert.Equal(["docs/x.md", "img/p.png", "../up.md", "samples/"], RelativeLinks(text));
    }

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A build server still holding a file: the temp folder is left for the OS to clean.
        }
    }

    internal static List<string> RelativeLinks(string markdown)
    {
        var targets = InlineLink().Matches(markdown).Select(m => m.Groups[1].Value)
            .Concat(ReferenceLink().Matches(markdown).Select(m => m.Groups[1].Value))
            .Concat(HtmlLink().Matches(markdown).Select(m => m.Groups[1].Value));
        return [.. targets.Where(t => !AbsoluteOrAnchor().IsMatch(t))];
    }

    private static XElement Metadata(ZipArchive package)
    {
        using var stream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var document = XDocument.Load(stream);
        return document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string Readme(ZipArchive package)
    {
        using var reader = new StreamReader(package.GetEntry("README.md")!.Open());
        return reader.ReadToEnd();
    }

    private string Pack(string repo, string name, bool build, string property)
    {
        var output = Path.Combine(_root.FullName, name);
        var args = new List<string> { "pack", Path.Combine(repo, "src", "Juggle", "Juggle.csproj"), "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(_root.FullName, "artifacts"), "-nologo", "-v", "q", property };
        if (!build)
        {
            args.Add("--no-build");
        }

        var start = new ProcessStartInfo(SnippetRunner.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet pack did not finish within 8 minutes");
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return Assert.Single(Directory.GetFiles(output, "Juggle.*.nupkg"));
    }

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*([^)\s]+)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"(?:href|src)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.-]*:|#|//)")]
    private static partial Regex AbsoluteOrAnchor();
}
