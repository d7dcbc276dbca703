using Juggle.Tests.Shared;

namespace Juggle.Docs.Tests;

/// <summary>
/// Every C# block in the repository's markdown (README.md, src/Juggle.Cli/README.md, docs/*.md, samples/**/README.md
/// and any other .md outside build output) compiles, and every block not marked as a fragment runs and exits 0.
/// Each block is its own test case, named <c>path:line</c>.
/// </summary>
public sealed class DocsCodeBlockTests(DocsCodeBlockTests.RunnerFixture runner) : IClassFixture<DocsCodeBlockTests.RunnerFixture>
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(3);

    private static readonly Lazy<IReadOnlyDictionary<string, CodeBlock>> s_blocks = new(() =>
        MarkdownCodeBlocks.InRepository(RepositoryRoot.Find("to read the docs")).ToDictionary(b => b.Id));

    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var id in s_blocks.Value.Keys)
        {
            data.Add(id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Block_compiles_and_runs(string block)
    {
        var code = s_blocks.Value[block];
        var assemblyName = "Docs_" + new string([.. code.Id.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        JuggleServe? serve = null;
        try
        {
            Func<string, string>? rewrite = null;
            if (!code.IsFragment && code.Code.Contains(JuggleServe.DocsAddress, StringComparison.Ordinal))
            {
                serve = await JuggleServe.StartAsync(TimeSpan.FromSeconds(90));
                var address = serve.Address;
                rewrite = text => text.Replace(JuggleServe.DocsAddress, address, StringComparison.Ordinal);
            }

            var (failures, assembly) = SnippetCompiler.Compile(code, assemblyName, rewrite);
            Assert.True(
                failures.Count == 0,
                $"{code.Id} does not compile{(code.IsFragment ? " (as a fragment after its declarations)" : " as a console app's top-level program")}:\n{string.Join('\n', failures)}\n" +
                "(A block that is not a whole program needs a <!-- fragment ... --> comment before it; one that uses another package names its assemblies in <!-- references: ... --> and this test project references that package.)");
            if (code.IsFragment)
            {
                return;
            }

            var run = await runner.Runner.RunAsync(assemblyName, assembly!, code.References, s_runTimeout);
            Assert.True(run.ExitCode == 0, $"{code.Id} failed when run{(serve is null ? string.Empty : $" (juggle serve on {serve.Address} for {JuggleServe.DocsAddress})")}: {run}");
            foreach (var expected in code.ExpectedOutput)
            {
                Assert.True(run.Out.Contains(expected, StringComparison.Ordinal), $"{code.Id}: stdout lacks the expected '{expected}': {run}");
            }
        }
        finally
        {
            if (serve is not null)
            {
                await serve.DisposeAsync();
            }
        }
    }

    [Fact]
    public void The_user_facing_docs_are_scanned_and_the_readme_has_runnable_programs()
    {
        var files = MarkdownCodeBlocks.MarkdownFiles(RepositoryRoot.Find("to read the docs")).ToList();
        foreach (var required in new[] { "README.md", "src/Juggle.Cli/README.md", "docs/design.md", "samples/README.md", "samples/Titles/README.md" })
        {
            Assert.Contains(required, files);
        }

        Assert.Contains(s_blocks.Value.Values, b => b.File == "README.md" && !b.IsFragment);
    }

    /// <summary>One folder of compiled blocks, Juggle.dll and the worker for the whole class.</summary>
    public sealed class RunnerFixture : IDisposable
    {
        internal SnippetRunner Runner { get; } = new();

        public void Dispose() => Runner.Dispose();
    }
}
