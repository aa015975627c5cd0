using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.OpenApi;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;
using Sandboxes.Testing;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// NSwag 14.8 (its console, as NSwag.MSBuild's <c>$(NSwagExe_Net100)</c> names it) and our compiler on every vendor spec of
/// specs/, measured the same way: generated at all, compiles, operations covered, unions typed, streams typed. The table
/// in docs/spec-compiler.md is what this test measured; it fails when the two disagree. To refresh the table after an
/// intended change, run it with <c>SANDBOXES_UPDATE_DOCS=1</c> (see <see cref="UpdateCommand"/>).
/// </summary>
/// <remarks>
/// NSwag runs two specs at a time; its measured row is cached per spec under this project's obj/nswag/ (keyed by the
/// spec's bytes, the NSwag tool and the measurement), so a second run only re-measures our compiler.
/// </remarks>
[TestFixture]
[Category("NSwag")]
public sealed class NSwagComparisonTests
{
    public const string Start = "<!-- nswag-comparison:start -->";
    public const string End = "<!-- nswag-comparison:end -->";
    public const string UpdateVariable = "SANDBOXES_UPDATE_DOCS";
    public const string UpdateCommand = "SANDBOXES_UPDATE_DOCS=1 dotnet test tests/Sandboxes.SpecCompiler.Tests --filter Category=NSwag";

    /// <summary>Changes whenever what is measured changes, so cached NSwag rows are measured again.</summary>
    private const string MeasurementVersion = "2";

    /// <summary>NSwag's options: a client with interfaces and System.Text.Json, the same JSON library as ours.</summary>
    private static readonly string[] NSwagOptions = ["/generateClientInterfaces:true", "/jsonLibrary:SystemTextJson"];

    private static readonly string[] StreamMediaTypes = ["text/event-stream", "ndjson", "jsonl", "json-seq", "jsonlines"];

    [Test]
    public async Task The_comparison_in_the_docs_is_what_NSwag_and_our_compiler_do_with_each_vendor_spec()
    {
        var nswag = NSwagCommand();
        var specs = VendorSpecTests.Specs.Cast<object[]>().Select(e => (string)e[0]).ToList();
        var watch = Stopwatch.StartNew();

        // NSwag in child processes, two at a time; our compiler in process meanwhile.
        using var gate = new SemaphoreSlim(2);
        var theirs = specs.Select(async spec =>
        {
            await gate.WaitAsync();
            try
            {
                return await Task.Run(() => MeasureNSwagAsync(nswag, spec));
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var ours = specs.Select(MeasureOurs).ToList();
        var nswagRows = await Task.WhenAll(theirs);

        var rows = specs.Select((spec, i) => (Spec: spec, Ours: ours[i], NSwag: nswagRows[i])).ToList();
        var section = Render(rows);
        TestContext.Out.WriteLine($"measured in {watch.Elapsed.TotalSeconds:F0} s\n{section}");

        // Our side of the claim, checked here as well as shown: every spec compiles, covers every operation, types every union and stream.
        Assert.Multiple(() =>
        {
            foreach (var row in rows)
            {
                Assert.That(row.Ours.Compiles, Is.EqualTo("yes"), row.Spec);
                Assert.That(row.Ours.Operations, Is.EqualTo(row.Ours.SpecOperations), row.Spec);
                Assert.That(row.Ours.UnionsTyped, Is.EqualTo(row.Ours.Unions), row.Spec);
                Assert.That(row.Ours.StreamsTyped, Is.EqualTo(row.Ours.Streams), row.Spec);
            }
        });

        var path = Path.Combine(Requires.RepositoryRoot, "docs", "spec-compiler.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf(Start, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, $"docs/spec-compiler.md needs a section between {Start} and {End}.");
        var current = text.Substring(start, end + End.Length - start);
        if (current != section && Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, text.Substring(0, start) + section + text.Substring(end + End.Length));
            current = section;
        }

        Assert.That(current, Is.EqualTo(section), "docs/spec-compiler.md's comparison with NSwag is not what was measured. Refresh it with: " + UpdateCommand);
    }

    /// <summary>What one generator made of one spec.</summary>
    public sealed record Row(
        string Generated, string Compiles, int SpecOperations, int Operations, int Unions, int UnionsTyped, int Streams, int StreamsTyped);

    private static string Render(IEnumerable<(string Spec, Row Ours, Row NSwag)> rows)
    {
        var lines = new List<string>
        {
            Start,
            "<!-- Measured by NSwagComparisonTests; refresh with: " + UpdateCommand + " -->",
            string.Empty,
            "| spec | generator | generated | compiles | operations | unions typed | streams typed |",
            "|---|---|---|---|---|---|---|",
        };
        foreach (var (spec, ours, nswag) in rows)
        {
            var name = spec["specs/".Length..];
            foreach (var (generator, row) in new[] { ("ours", ours), ("NSwag 14.8", nswag) })
            {
                var generated = row.Generated == "yes";
                lines.Add($"| {(generator == "ours" ? name : string.Empty)} | {generator} | {row.Generated} | {(generated ? row.Compiles : "-")} | " +
                          $"{(generated ? $"{row.Operations}/{row.SpecOperations}" : $"0/{row.SpecOperations}")} | " +
                          $"{(row.Unions == 0 ? "none in spec" : $"{(generated ? row.UnionsTyped : 0)}/{row.Unions}")} | " +
                          $"{(row.Streams == 0 ? "none in spec" : $"{(generated ? row.StreamsTyped : 0)}/{row.Streams}")} |");
            }
        }

        lines.Add(string.Empty);
        lines.Add(End);
        return string.Join("\n", lines);
    }

    // ---- our compiler ----

    private static Row MeasureOurs(string spec)
    {
        var file = SpecFile.FromRepository(spec);
        var run = GeneratorHarness.Run([file]);
        var (operations, unions, streams) = SpecFacts(file.Path);
        if (run.Sources.Count == 0)
        {
            return new Row("no: " + GeneratorHarness.Describe(run.GeneratorDiagnostics, 1), "-", operations, 0, unions.Count, 0, streams, 0);
        }

        var source = run.Sources.Values.Single();
        var tree = CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions);
        var methods = tree.GetRoot().DescendantNodes().OfType<InterfaceDeclarationSyntax>()
            .Where(i => i.Identifier.Text.EndsWith("Api", StringComparison.Ordinal))
            .SelectMany(i => i.Members.OfType<MethodDeclarationSyntax>())
            .Count(m => m.Identifier.Text.EndsWith("Async", StringComparison.Ordinal) && !m.Identifier.Text.EndsWith("WithResponseAsync", StringComparison.Ordinal));
        return new Row("yes", Compiles(run.Output), operations, methods, unions.Count, TypedUnions(run.Output, unions), streams, TypedStreams(run.Output));
    }

    // ---- NSwag ----

    /// <summary>NSwag.MSBuild's <c>$(NSwagExe_Net100)</c>, recorded in the test assembly by the build: the program and its arguments.</summary>
    private static (string Program, string[] Arguments) NSwagCommand()
    {
        var command = typeof(NSwagComparisonTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "NSwagExe_Net100")?.Value;
        if (string.IsNullOrWhiteSpace(command))
        {
            Assert.Fail("NSwag cannot be run: the build recorded no $(NSwagExe_Net100) (the NSwag.MSBuild package was not restored for this project). Restore and rebuild it.");
        }

        // dotnet "…/tools/Net100/dotnet-nswag.dll"
        var program = command!.Split(' ', 2)[0];
        var dll = command.Split(' ', 2)[1].Trim().Trim('"');
        if (!File.Exists(dll))
        {
            Assert.Fail($"NSwag cannot be run: $(NSwagExe_Net100) names {dll}, which does not exist.");
        }

        return (program, [dll]);
    }

    private static async Task<Row> MeasureNSwagAsync((string Program, string[] Arguments) nswag, string spec)
    {
        var path = Path.Combine(Requires.RepositoryRoot, spec);
        var cacheDir = Path.Combine(Requires.RepositoryRoot, "tests", "Sandboxes.SpecCompiler.Tests", "obj", "nswag");
        Directory.CreateDirectory(cacheDir);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
            Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))), nswag.Arguments[0], File.GetLastWriteTimeUtc(nswag.Arguments[0]).Ticks,
            string.Join(' ', NSwagOptions), MeasurementVersion, Environment.Version)))).ToLowerInvariant()[..16];
        var cached = Path.Combine(cacheDir, Path.GetFileName(path) + "." + key + ".json");
        if (File.Exists(cached))
        {
            return JsonSerializer.Deserialize<Row>(await File.ReadAllTextAsync(cached))!;
        }

        var (operations, unions, streams) = SpecFacts(path);
        var output = Path.Combine(cacheDir, Path.GetFileName(path) + "." + key + ".cs");
        // NSwag's default client names ({controller}Client, one client per operation group), in a namespace of the spec's own.
        var client = new string(Path.GetFileNameWithoutExtension(path).Where(char.IsLetterOrDigit).ToArray());
        var run = await RunAsync(nswag.Program, [.. nswag.Arguments, "openapi2csclient", "/input:" + path, "/output:" + output,
            "/namespace:NSwagOut." + char.ToUpperInvariant(client[0]) + client[1..], .. NSwagOptions]);
        Row row;
        if (run.ExitCode != 0 || !File.Exists(output))
        {
            // The first line of NSwag's complaint (e.g. an exception's message) says why nothing was generated.
            var reason = (run.Stdout + "\n" + run.Stderr).Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("rror", StringComparison.Ordinal)) ?? $"exit code {run.ExitCode}";
            row = new Row("no: " + Shorten(reason), "-", operations, 0, unions.Count, 0, streams, 0);
        }
        else
        {
            var source = await File.ReadAllTextAsync(output);
            var compilation = GeneratorHarness.CreateCompilation(source);
            var methods = compilation.SyntaxTrees.Single().GetRoot().DescendantNodes().OfType<InterfaceDeclarationSyntax>()
                .SelectMany(i => i.Members.OfType<MethodDeclarationSyntax>())
                .Count(m => m.ParameterList.Parameters.Any(p => p.Type?.ToString().EndsWith("CancellationToken", StringComparison.Ordinal) == true));
            row = new Row("yes", Compiles(compilation), operations, methods, unions.Count, TypedUnions(compilation, unions), streams, TypedStreams(compilation));
        }

        await File.WriteAllTextAsync(cached, JsonSerializer.Serialize(row));
        return row;
    }

    private static string Shorten(string reason)
    {
        reason = reason.Replace("|", "/", StringComparison.Ordinal);
        return reason.Length <= 90 ? reason : reason[..87] + "...";
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("NSwag cannot be run: " + program + " did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, "NSwag did not finish in 5 minutes");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    // ---- what the spec holds, and what a compilation makes of it ----

    /// <summary>A oneOf/anyOf of two or more variants other than null: each variant a schema name or a JSON type.</summary>
    public sealed record UnionSite(string Pointer, IReadOnlyList<string> Variants);

    /// <summary>The spec's operations, its unions (wherever they are) and its operations answering with a stream of events or JSON lines.</summary>
    private static (int Operations, IReadOnlyList<UnionSite> Unions, int Streams) SpecFacts(string path)
    {
        var document = Sandboxes.Generators.Parsing.SpecDocumentReader.Read(path).Document
                       ?? throw new InvalidOperationException("Microsoft.OpenApi reads no document from " + path);
        var unions = new List<UnionSite>();
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            Walk(schema, "#/components/schemas/" + name, unions);
        }

        var operations = 0;
        var streams = 0;
        foreach (var (route, item) in document.Paths ?? new OpenApiPaths())
        {
            foreach (var (method, operation) in item.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>())
            {
                operations++;
                var at = "#/paths/" + route + "/" + method.Method.ToLowerInvariant();
                foreach (var parameter in operation.Parameters ?? [])
                {
                    Walk(parameter.Schema, at + "/parameters/" + parameter.Name, unions);
                }

                foreach (var (media, content) in operation.RequestBody?.Content ?? new Dictionary<string, IOpenApiMediaType>())
                {
                    Walk(content.Schema, at + "/requestBody/" + media, unions);
                }

                var streamed = false;
                foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
                {
                    foreach (var (media, content) in response.Content ?? new Dictionary<string, IOpenApiMediaType>())
                    {
                        Walk(content.Schema, at + "/responses/" + status + "/" + media, unions);
                        streamed |= status.StartsWith('2') && StreamMediaTypes.Any(s => media.Contains(s, StringComparison.OrdinalIgnoreCase));
                    }
                }

                streams += streamed ? 1 : 0;
            }
        }

        return (operations, unions, streams);
    }

    /// <summary>Finds the unions in a schema written in place (a reference is walked where it is declared, in components).</summary>
    private static void Walk(IOpenApiSchema? schema, string pointer, List<UnionSite> unions)
    {
        if (schema is null or OpenApiSchemaReference)
        {
            return;
        }

        foreach (var (keyword, variants) in new[] { ("oneOf", schema.OneOf), ("anyOf", schema.AnyOf) })
        {
            var named = (variants ?? []).Where(v => !(v is not OpenApiSchemaReference && v.Type == JsonSchemaType.Null))
                .Select(v => v is OpenApiSchemaReference r ? r.Reference.Id ?? "?" : "json:" + (v.Type?.ToString() ?? "object")).ToList();
            if (named.Count >= 2)
            {
                unions.Add(new UnionSite(pointer + "/" + keyword, named));
            }

            var i = 0;
            foreach (var variant in variants ?? [])
            {
                Walk(variant, pointer + "/" + keyword + "/" + i++, unions);
            }
        }

        var j = 0;
        foreach (var part in schema.AllOf ?? [])
        {
            Walk(part, pointer + "/allOf/" + j++, unions);
        }

        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            Walk(property, pointer + "/properties/" + name, unions);
        }

        Walk(schema.Items, pointer + "/items", unions);
        Walk(schema.AdditionalProperties, pointer + "/additionalProperties", unions);
    }

    private static string Compiles(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return errors.Count == 0
            ? "yes"
            : $"no: {errors.Count} errors ({string.Join(", ", errors.GroupBy(e => e.Id).OrderByDescending(g => g.Count()).Take(2).Select(g => $"{g.Key} x{g.Count()}"))})";
    }

    /// <summary>
    /// A union is typed when one generated type names every variant: each schema variant's type derives from it, or it has a
    /// method or conversion taking or returning that variant (the JSON-type variants likewise, as string, bool or number).
    /// A union that became <c>object</c>, <c>JsonElement</c> or its first variant is not typed.
    /// </summary>
    private static int TypedUnions(Compilation compilation, IReadOnlyList<UnionSite> unions)
    {
        if (unions.Count == 0)
        {
            return 0;
        }

        var types = compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>()
            .Select(d => compilation.GetSemanticModel(t).GetDeclaredSymbol(d)).OfType<INamedTypeSymbol>()).ToList();
        var byName = types.ToLookup(t => Normalize(t.Name));
        var typed = 0;
        foreach (var union in unions)
        {
            var variants = union.Variants.Select(v => v.StartsWith("json:", StringComparison.Ordinal) ? (Name: v, Types: (IReadOnlyList<INamedTypeSymbol>)[]) : (Name: v, Types: byName[Normalize(v)].ToList())).ToList();
            if (variants.Any(v => !v.Name.StartsWith("json:", StringComparison.Ordinal) && v.Types.Count == 0))
            {
                continue;
            }

            if (types.Any(candidate => variants.All(v => Names(candidate, v.Name, v.Types))))
            {
                typed++;
            }
        }

        return typed;
    }

    private static bool Names(INamedTypeSymbol union, string variant, IReadOnlyList<INamedTypeSymbol> variantTypes)
    {
        if (variantTypes.Contains(union, SymbolEqualityComparer.Default))
        {
            return false;
        }

        if (variantTypes.Any(v => Bases(v).Contains(union, SymbolEqualityComparer.Default)))
        {
            return true;
        }

        var mentioned = union.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.MethodKind is MethodKind.Ordinary or MethodKind.Conversion && m.DeclaredAccessibility == Accessibility.Public)
            .SelectMany(m => m.Parameters.Select(p => p.Type).Append(m.ReturnType)).Select(Unwrap).ToList();
        return variant switch
        {
            "json:String" => mentioned.Any(t => t.SpecialType == SpecialType.System_String),
            "json:Boolean" => mentioned.Any(t => t.SpecialType == SpecialType.System_Boolean),
            "json:Integer" or "json:Number" => mentioned.Any(t => t.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double or SpecialType.System_Decimal),
            _ when variant.StartsWith("json:", StringComparison.Ordinal) => mentioned.Any(t => t is INamedTypeSymbol { IsReferenceType: true, SpecialType: SpecialType.None } && !SymbolEqualityComparer.Default.Equals(t, union)),
            _ => mentioned.Any(t => variantTypes.Contains(t, SymbolEqualityComparer.Default)),
        };
    }

    private static ITypeSymbol Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } generic && generic.TypeArguments.Length == 1 ? Unwrap(generic.TypeArguments[0]) : type;

    private static IEnumerable<INamedTypeSymbol> Bases(INamedTypeSymbol type)
    {
        for (var b = type.BaseType; b is not null; b = b.BaseType)
        {
            yield return b;
        }
    }

    private static string Normalize(string name) => new string(name.Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();

    /// <summary>Streams are typed by methods that return <see cref="IAsyncEnumerable{T}"/> of the events or lines.</summary>
    private static int TypedStreams(Compilation compilation) =>
        compilation.SyntaxTrees.Sum(t => t.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Count(m => m.ReturnType.ToString().Contains("IAsyncEnumerable<", StringComparison.Ordinal)));
}
