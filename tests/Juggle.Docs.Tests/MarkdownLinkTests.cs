using System.Text.RegularExpressions;
using Juggle.Tests.Shared;

namespace Juggle.Docs.Tests;

/// <summary>The docs point only at files that exist in the repository: nothing a clone of it lacks.</summary>
public sealed partial class MarkdownLinkTests
{
    [Fact]
    public void Every_relative_link_and_relative_path_in_the_docs_stays_inside_the_repository_and_exists()
    {
        var root = RepositoryRoot.Find("to read the docs");
        var broken = new List<string>();
        foreach (var file in MarkdownCodeBlocks.MarkdownFiles(root))
        {
            var directory = Path.GetDirectoryName(Path.Combine(root, file))!;
            var lines = File.ReadAllLines(Path.Combine(root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                var targets = PackageTests.RelativeLinks(lines[i]).Concat(UpwardPath().Matches(lines[i]).Select(m => m.Groups[1].Value));
                foreach (var target in targets)
                {
                    var path = Uri.UnescapeDataString(target.Split('#')[0]);
                    var full = Path.GetFullPath(Path.Combine(directory, path));
                    var inside = (full + Path.DirectorySeparatorChar).StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                    if (!inside || !(File.Exists(full) || Directory.Exists(full)))
                    {
                        broken.Add($"{file}:{i + 1}: {target} ({(inside ? "does not exist" : "outside the repository")})");
                    }
                }
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    /// <summary>A code span naming a path that climbs out of its folder, e.g. <c>`../shared/seeds/`</c>.</summary>
    [GeneratedRegex(@"`(\.\./[^`\s]*)`")]
    private static partial Regex UpwardPath();
}
