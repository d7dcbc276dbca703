namespace Juggle.Docs.Tests;

/// <summary>The harness itself: which blocks it finds and how it reads their markers.</summary>
public sealed class MarkdownCodeBlocksTests
{
    [Fact]
    public void Finds_csharp_blocks_under_every_spelling_and_indentation_and_skips_other_languages()
    {
        const string markdown = """
            # T

            ```csharp
            Console.WriteLine(1);
            ```

            ```bash
            echo no
            ```

            1. item

               ```cs
               Console.WriteLine(2);
               ```

            ~~~C#
            Console.WriteLine(3);
            ~~~
            """;

        var blocks = MarkdownCodeBlocks.Parse("x.md", markdown);

        Assert.Equal(["x.md:3", "x.md:13", "x.md:17"], blocks.Select(b => b.Id));
        Assert.Equal(["Console.WriteLine(1);", "Console.WriteLine(2);", "Console.WriteLine(3);"], blocks.Select(b => b.Code));
        Assert.All(blocks, b => Assert.False(b.IsFragment));
    }

    [Fact]
    public void Reads_fragment_declarations_and_expected_output_from_the_comments_right_before_a_block()
    {
        const string markdown = """
            <!-- fragment: compiled after these declarations
            using Juggle;
            int[] items = [1, 2];
            -->
            ```csharp
            foreach (var i in items) { }
            ```

            <!-- expect: Title: X -->
            <!-- references: Some.Package, Other -->
            ```csharp
            Console.WriteLine("Title: X");
            ```

            <!-- fragment -->
            Some prose in between.

            ```csharp fragment
            x.Cancel();
            ```
            """;

        var blocks = MarkdownCodeBlocks.Parse("r.md", markdown);

        Assert.True(blocks[0].IsFragment);
        Assert.Equal("using Juggle;\nint[] items = [1, 2];\n", blocks[0].Declarations);
        Assert.Equal(2, blocks[0].DeclarationsLine);
        Assert.False(blocks[1].IsFragment);
        Assert.Equal(["Title: X"], blocks[1].ExpectedOutput);
        Assert.Equal(["Some.Package", "Other"], blocks[1].References);
        Assert.True(blocks[2].IsFragment); // by its info string; the earlier comment was separated by prose
        Assert.Equal(string.Empty, blocks[2].Declarations);
    }

    [Fact]
    public void A_program_without_using_Juggle_does_not_compile_and_the_error_names_the_markdown_line()
    {
        var block = MarkdownCodeBlocks.Parse("README.md", "\n\n```csharp\nusing var pool = new ThreadPoolExecutor(maxWorkers: 1);\n```\n")[0];

        var (failures, assembly) = SnippetCompiler.Compile(block, "NoUsing");

        Assert.Null(assembly);
        Assert.Contains(failures, f => f.StartsWith("README.md(4,", StringComparison.Ordinal) && f.Contains("CS0246", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fragment_compiles_after_its_declarations_with_usings_first()
    {
        const string markdown = """
            <!-- fragment
            using Juggle;
            using var pool = new ThreadPoolExecutor(maxWorkers: 2);
            static int Twice(int x) => 2 * x;
            -->
            ```csharp
            using System.Diagnostics;
            var f = pool.Submit(Twice, 21);
            Debug.Assert(f.Result() == 42);
            ```
            """;

        var (failures, assembly) = SnippetCompiler.Compile(MarkdownCodeBlocks.Parse("f.md", markdown)[0], "Fragment");

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.NotNull(assembly);
    }

    [Fact]
    public async Task A_block_naming_its_references_compiles_and_runs_against_them_and_their_shared_framework()
    {
        const string markdown = """
            <!-- references: Microsoft.AspNetCore -->
            <!-- expect: routes: 0 -->
            ```csharp
            using Microsoft.AspNetCore.Builder;
            using Juggle;

            using var pool = new ThreadPoolExecutor(maxWorkers: 1);
            var app = pool.Submit(() => WebApplication.CreateSlimBuilder().Build()).Result();
            Console.WriteLine($"routes: {((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.Count}");
            ```
            """;
        var block = MarkdownCodeBlocks.Parse("refs.md", markdown)[0];

        var (failures, assembly) = SnippetCompiler.Compile(block, "WithReferences");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        using var runner = new SnippetRunner();
        var run = await runner.RunAsync("WithReferences", assembly!, block.References, TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("routes: 0", run.Out, StringComparison.Ordinal);
    }
}
