using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests;

/// <summary>
/// Every C# block of the README, CONTRIBUTING and docs/ compiles against the library, so an example cannot drift from
/// the API it shows. Each block compiles on its own, as the body of an async method; the few names the pages use for
/// what their prose introduced (<c>sandbox</c>, <c>sb</c>, <c>client</c>, <c>builder</c>, <c>key</c>) are declared
/// around it, and a block may declare its own of the same names.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class DocumentationTests
{
    private const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Sandboxes;

        """;

    private const string Ambient = """
        namespace Documentation
        {
            /// <summary>What a host builder offers the examples: services and configuration.</summary>
            internal sealed class HostBuilder
            {
                public IServiceCollection Services { get; } = new ServiceCollection();
                public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
            }

            internal static class Example
            {
                private static readonly Sandbox sandbox = null!;
                private static readonly Sandbox sb = null!;
                private static readonly Sandboxer client = null!;
                private static readonly HostBuilder builder = new();
                private static readonly string key = string.Empty;

                public static async Task Run()
                {
        """;

    /// <summary>Every C# block of the documentation, named by its file and line.</summary>
    public static IEnumerable<TestCaseData> Blocks()
    {
        var root = Requires.RepositoryRoot;
        var files = new[] { "README.md", "CONTRIBUTING.md" }.Select(f => Path.Combine(root, f))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(root, file);
            foreach (var (line, code) in CSharpBlocks(File.ReadAllLines(file)))
            {
                yield return new TestCaseData(code).SetArgDisplayNames($"{relative}:{line}");
            }
        }
    }

    [TestCaseSource(nameof(Blocks))]
    public void Compiles_against_the_library(string code)
    {
        var errors = UserCompilation.Errors(Wrap(code));

        Assert.That(errors, Is.Empty, "The block:\n" + code);
    }

    [Test]
    public void The_documentation_has_csharp_blocks_to_check()
    {
        // A renamed fence or folder would otherwise leave nothing checked.
        Assert.That(Blocks().Count(), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public void A_block_that_calls_what_does_not_exist_fails()
    {
        Assert.That(UserCompilation.Errors(Wrap("sandbox.RunEverythingAsync();")), Has.Some.Contain("CS1061"));
    }

    /// <summary>The C# blocks of a Markdown file, each with the number of its first line.</summary>
    private static IEnumerable<(int Line, string Code)> CSharpBlocks(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() is not ("```csharp" or "```cs" or "```c#"))
            {
                continue;
            }

            var code = new StringBuilder();
            var first = i + 2;
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                code.AppendLine(lines[i]);
            }

            yield return (first, code.ToString());
        }
    }

    /// <summary>The block as a compilation unit: its using directives first, its statements in the example's body.</summary>
    private static string Wrap(string code)
    {
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (var line in code.Split('\n'))
        {
            (UsingDirective().IsMatch(line) ? usings : body).Append(line).Append('\n');
        }

        return Prelude + usings + Ambient + body + "\n        }\n    }\n}\n";
    }

    [GeneratedRegex(@"^using [A-Za-z][\w.]*;\s*$")]
    private static partial Regex UsingDirective();
}
