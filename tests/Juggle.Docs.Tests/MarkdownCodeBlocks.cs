using System.Text;
using System.Text.RegularExpressions;

namespace Juggle.Docs.Tests;

/// <summary>
/// Finds every C# block (fence info <c>csharp</c>, <c>cs</c> or <c>c#</c>, any case, at any indentation) in the
/// repository's markdown files, with the markers written just before it:
/// <list type="bullet">
/// <item><c>```csharp fragment</c>, or an HTML comment opening with <c>&lt;!-- fragment</c> whose further lines are C#
/// declarations (usings, variables, local functions) that the block is compiled after: compiled, not run.</item>
/// <item><c>&lt;!-- expect: TEXT --&gt;</c>: the program's standard output must contain TEXT.</item>
/// <item><c>&lt;!-- references: Assembly.One, Assembly.Two --&gt;</c>: assemblies (beyond Juggle.dll and the shared
/// framework) the block compiles and runs against; this test project references their packages or projects.</item>
/// </list>
/// Anything else is a program: compiled as a console app's top-level program and run.
/// </summary>
internal static partial class MarkdownCodeBlocks
{
    private static readonly string[] s_skippedFolders = ["bin", "obj", ".git", "TestResults", "node_modules"];

    /// <summary>Every markdown file of the repository (outside build output), as paths relative to <paramref name="root"/>.</summary>
    public static IEnumerable<string> MarkdownFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        var found = new List<string>();
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            found.AddRange(Directory.EnumerateFiles(dir, "*.md").Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')));
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                if (!s_skippedFolders.Contains(Path.GetFileName(sub), StringComparer.OrdinalIgnoreCase))
                {
                    pending.Push(sub);
                }
            }
        }

        return found.Order(StringComparer.Ordinal);
    }

    public static IEnumerable<CodeBlock> InRepository(string root) =>
        MarkdownFiles(root).SelectMany(file => Parse(file, File.ReadAllText(Path.Combine(root, file))));

    public static IReadOnlyList<CodeBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<CodeBlock>();
        var comments = new List<(int Line, string Text)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("<!--", StringComparison.Ordinal))
            {
                var start = i;
                var text = new StringBuilder(line);
                while (!lines[i].Contains("-->", StringComparison.Ordinal) && i + 1 < lines.Length)
                {
                    text.Append('\n').Append(lines[++i]);
                }

                comments.Add((start + 1, text.ToString()));
                continue;
            }

            var fence = Fence().Match(line);
            if (!fence.Success)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    comments.Clear(); // markers apply only to the block right after them
                }

                continue;
            }

            var indent = fence.Groups["indent"].Length;
            var marks = fence.Groups["marks"].Value;
            var info = fence.Groups["info"].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var body = new List<string>();
            var open = i;
            for (i++; i < lines.Length; i++)
            {
                var closing = lines[i].TrimStart();
                if (closing.StartsWith(marks, StringComparison.Ordinal) && closing.TrimEnd().All(c => c == marks[0]))
                {
                    break;
                }

                body.Add(Unindent(lines[i], indent));
            }

            var language = info.Length > 0 ? info[0].ToLowerInvariant() : string.Empty;
            if (language is "csharp" or "cs" or "c#")
            {
                blocks.Add(Describe(file, open + 1, string.Join('\n', body), info.Skip(1).Contains("fragment", StringComparer.OrdinalIgnoreCase), comments));
            }

            comments.Clear();
        }

        return blocks;
    }

    private static CodeBlock Describe(string file, int line, string code, bool fragmentInfo, List<(int Line, string Text)> comments)
    {
        var isFragment = fragmentInfo;
        var declarations = string.Empty;
        var declarationsLine = line;
        var expected = new List<string>();
        var references = new List<string>();
        foreach (var (commentLine, text) in comments)
        {
            var inner = text.Trim();
            inner = inner["<!--".Length..];
            inner = inner.EndsWith("-->", StringComparison.Ordinal) ? inner[..^"-->".Length] : inner;
            var firstBreak = inner.IndexOf('\n', StringComparison.Ordinal);
            var head = (firstBreak < 0 ? inner : inner[..firstBreak]).Trim();
            if (head.StartsWith("fragment", StringComparison.OrdinalIgnoreCase))
            {
                isFragment = true;
                declarations = firstBreak < 0 ? string.Empty : inner[(firstBreak + 1)..];
                declarationsLine = commentLine + 1;
            }
            else if (head.StartsWith("expect:", StringComparison.OrdinalIgnoreCase))
            {
                expected.Add(inner.Trim()["expect:".Length..].Trim());
            }
            else if (head.StartsWith("references:", StringComparison.OrdinalIgnoreCase))
            {
                references.AddRange(inner.Trim()["references:".Length..].Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }

        return new CodeBlock(file, line, code, isFragment, declarations, declarationsLine, expected, references);
    }

    private static string Unindent(string line, int indent)
    {
        var strip = 0;
        while (strip < indent && strip < line.Length && line[strip] == ' ')
        {
            strip++;
        }

        return line[strip..];
    }

    [GeneratedRegex(@"^(?<indent> *)(?<marks>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex Fence();
}
