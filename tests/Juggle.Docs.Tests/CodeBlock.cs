namespace Juggle.Docs.Tests;

/// <summary>
/// One C# code block of a markdown file. <see cref="Line"/> is the 1-based line of the opening fence.
/// A fragment is compiled after its <see cref="Declarations"/> but not run; a program is compiled and run.
/// <see cref="References"/> names assemblies beyond Juggle.dll and the shared framework that the block uses.
/// </summary>
internal sealed record CodeBlock(
    string File,
    int Line,
    string Code,
    bool IsFragment,
    string Declarations,
    int DeclarationsLine,
    IReadOnlyList<string> ExpectedOutput,
    IReadOnlyList<string> References)
{
    /// <summary>Where the block is, as <c>path:line</c> relative to the repository root.</summary>
    public string Id => $"{File}:{Line}";

    public override string ToString() => Id;
}
