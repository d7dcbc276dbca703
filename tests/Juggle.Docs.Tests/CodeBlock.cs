namespace Juggle.Docs.Tests;

/// <summary>
/// One C# code block of a markdown file. <see cref="Line"/> is the 1-based line of the opening fence.
/// A fragment is compiled after its <see cref="Declarations"/> but not run; a program is compiled and run.
/// </summary>
internal sealed record CodeBlock(
    string File,
    int Line,
    string Code,
    bool IsFragment,
    string Declarations,
    int DeclarationsLine,
    IReadOnlyList<string> ExpectedOutput)
{
    /// <summary>Where the block is, as <c>path:line</c> relative to the repository root.</summary>
    public string Id => $"{File}:{Line}";

    public override string ToString() => Id;
}
