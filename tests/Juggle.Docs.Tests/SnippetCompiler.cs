using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Juggle.Docs.Tests;

/// <summary>
/// Compiles a block as a new console app would (<c>dotnet new console</c>: top-level statements, nullable on, the
/// SDK's implicit usings — not <c>using Juggle;</c>) against the shared framework and the built Juggle.dll.
/// <c>#line</c> directives map every diagnostic back to the markdown file and line.
/// </summary>
internal static partial class SnippetCompiler
{
    /// <summary>What <c>ImplicitUsings</c> gives a Microsoft.NET.Sdk console app.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Unused declarations are expected in a fragment's shared declarations.</summary>
    private static readonly string[] s_fragmentNoise = ["CS8321", "CS0168", "CS0219", "CS0162"];

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() => LoadReferences([]));

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    /// <summary>Compiles <paramref name="block"/>; returns the diagnostics that fail it (empty when it compiled) and the assembly.</summary>
    public static (IReadOnlyList<string> Failures, byte[]? Assembly) Compile(CodeBlock block, string assemblyName, Func<string, string>? rewrite = null)
    {
        var source = Assemble(block, rewrite ?? (s => s));
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(SourceText.From(ImplicitUsings, Encoding.UTF8), s_parseOptions, "GlobalUsings.g.cs"),
            CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), s_parseOptions, "Program.cs"),
        };
        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithSpecificDiagnosticOptions(block.IsFragment ? s_fragmentNoise.ToDictionary(id => id, _ => ReportDiagnostic.Suppress) : []);
        var references = block.References.Count == 0 ? s_references.Value : LoadReferences(block.References);
        var compilation = CSharpCompilation.Create(assemblyName, trees, references, options);
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var failures = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && !d.IsSuppressed))
            .Select(d => d.ToString())
            .ToList();
        return (failures, result.Success && failures.Count == 0 ? pe.ToArray() : null);
    }

    /// <summary>
    /// The program's text: a fragment's using directives first (its declarations', then its own), then the
    /// declarations' statements, then the block's; each part after a <c>#line</c> naming its markdown line.
    /// </summary>
    public static string Assemble(CodeBlock block, Func<string, string> rewrite)
    {
        var text = new StringBuilder();
        var (declarationUsings, declarationRest, declarationRestLine) = SplitUsings(block.Declarations, block.DeclarationsLine);
        var (usings, rest, restLine) = SplitUsings(rewrite(block.Code), block.Line + 1);
        Append(text, declarationUsings, block.DeclarationsLine, block.File);
        Append(text, usings, block.Line + 1, block.File);
        Append(text, declarationRest, declarationRestLine, block.File);
        Append(text, rest, restLine, block.File);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string part, int line, string file)
    {
        if (part.Length > 0)
        {
            text.Append("#line ").Append(line).Append(" \"").Append(file).Append("\"\n").Append(part).Append('\n');
        }
    }

    /// <summary>Splits the leading using directives (and blank or comment lines among them) from the rest.</summary>
    private static (string Usings, string Body, int BodyLine) SplitUsings(string code, int firstLine)
    {
        var lines = code.Split('\n');
        var split = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (UsingDirective().IsMatch(line))
            {
                split = i + 1;
            }
            else if (line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }
        }

        return (string.Join('\n', lines[..split]), string.Join('\n', lines[split..]), firstLine + split);
    }

    private static ImmutableArray<MetadataReference> LoadReferences(IReadOnlyList<string> extra)
    {
        // Microsoft.NETCore.App as the test host has it (what a console app sees), Juggle.dll and its dependencies,
        // and the block's own references with theirs; with any of those on ASP.NET Core, that framework too.
        var (files, usesAspNetCore) = AssemblyClosure.Of(["Juggle", .. extra]);
        var paths = AssemblyClosure.CoreFramework().Concat(files);
        if (usesAspNetCore && AssemblyClosure.AspNetCoreFramework is { } aspNetCore)
        {
            paths = paths.Concat(Directory.EnumerateFiles(aspNetCore, "*.dll"));
        }

        return [.. paths.Distinct(StringComparer.Ordinal).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    [GeneratedRegex(@"^using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>, ]+)?\s*;$")]
    private static partial Regex UsingDirective();
}
