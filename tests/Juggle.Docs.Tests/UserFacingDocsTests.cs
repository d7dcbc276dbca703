using System.Text.RegularExpressions;
using Juggle.Tests.Shared;

namespace Juggle.Docs.Tests;

/// <summary>
/// The docs speak to users: no tracker numbers, no talk of who worked on what and when. The benchmark report
/// generators are checked too, so a regenerated docs/benchmarks*.md cannot bring such lines back.
/// </summary>
public sealed partial class UserFacingDocsTests
{
    [Fact]
    public void Docs_and_the_scripts_that_write_them_mention_no_issue_numbers_sessions_or_engineers()
    {
        var root = RepositoryRoot.Find("to read the docs");
        var files = MarkdownCodeBlocks.MarkdownFiles(root)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "bench"), "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".py", StringComparison.Ordinal) || f.EndsWith(".sh", StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')));
        var found = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(Path.Combine(root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (NotForUsers().Match(lines[i]) is { Success: true } match)
                {
                    found.Add($"{file}:{i + 1}: '{match.Value}' in: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(found.Count == 0, "write these for users (what was measured, how to rerun it), not about the work behind them:\n" + string.Join('\n', found));
    }

    [Theory]
    [InlineData("Targets are those of issue #2.")]
    [InlineData("## Issue 4 targets")]
    [InlineData("| target (issue 3) |")]
    [InlineData("uncommitted work of other sessions could not leak")]
    [InlineData("Tried this session, no gain")]
    [InlineData("shared with other engineers' builds")]
    [InlineData("as of stop 3")]
    public void The_check_catches_each_kind_of_passage(string line) => Assert.Matches(NotForUsers(), line);

    [GeneratedRegex(@"\bissue[- ]?#?\d+|\bsessions?\b|\bengineers?'?\b|\bstop \d+|\bother people's|\buncommitted work\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotForUsers();
}
