using Microsoft.CodeAnalysis;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>Parser and diagnostic tests: what cannot be handled is a warning SBX diagnostic and a skipped member, never a broken build.</summary>
[TestFixture]
public sealed class DiagnosticTests
{
    private const string Header = "openapi: 3.0.3\ninfo: { title: Probe, version: '1' }\n";

    private static GeneratorRun Run(string yaml, IReadOnlyDictionary<string, string>? metadata = null, string path = "/specs/probe.yaml") =>
        GeneratorHarness.Run([new SpecFile(path, yaml, metadata)]);

    private static void AssertBuilds(GeneratorRun run) => Assert.That(run.CompileProblems, Is.Empty, GeneratorHarness.Describe(run.CompileProblems));

    [Test]
    public void Broken_yaml_is_the_error_SBX001()
    {
        var run = Run(Header + "paths:\n  /x: [unclosed\n");
        var diagnostic = run.GeneratorDiagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("SBX001"));
        // A SandboxesSpec item names a spec: one that cannot be read fails the build.
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("/specs/probe.yaml"));
        Assert.That(diagnostic.GetMessage(), Does.Contain("Fix the file"));
        Assert.That(run.Sources, Is.Empty);
        AssertBuilds(run);
    }

    [Test]
    public void Broken_json_is_SBX001()
    {
        var run = Run("{ \"openapi\": \"3.0.0\", ", path: "/specs/broken.json");
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX001" }));
    }

    [Test]
    public void A_spec_item_that_is_no_spec_is_SBX002()
    {
        var run = Run("{ \"name\": \"package\" }", path: "/app/appsettings.json");
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX002" }));
        Assert.That(run.Sources, Is.Empty);
    }

    [Test]
    public void Unsupported_version_is_SBX003()
    {
        var run = Run("swagger: '1.2'\ninfo: { title: Old, version: '1' }\n");
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX003" }));
    }

    [Test]
    public void Unresolved_and_external_references_become_JsonElement()
    {
        var run = Run(Header + """
            paths: {}
            components:
              schemas:
                Thing:
                  type: object
                  properties:
                    missing: { $ref: "#/components/schemas/Nowhere" }
                    outside: { $ref: "other.yaml#/components/schemas/X" }
            """);
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "SBX004", "SBX012" }));
        Assert.That(run.GeneratorDiagnostics.First(d => d.Id == "SBX004").GetMessage(), Does.Contain("(at #/components/schemas/Thing/properties/missing"));
        Assert.That(run.Sources["Probe.g.cs"], Does.Contain("global::System.Text.Json.JsonElement? Missing"));
        AssertBuilds(run);
    }

    [Test]
    public void Unsupported_request_body_skips_the_operation_with_SBX005()
    {
        var run = Run(Header + """
            paths:
              /a:
                post:
                  operationId: weird
                  requestBody:
                    content:
                      multipart/form-data:
                        schema: { type: object }
                  responses: { "204": { description: ok } }
              /b:
                get:
                  operationId: fine
                  responses: { "204": { description: ok } }
            """);
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX005" }));
        Assert.That(run.Sources["Probe.g.cs"], Does.Contain("FineAsync").And.Not.Contain("WeirdAsync"));
        AssertBuilds(run);
    }

    [Test]
    public void Unknown_parameter_location_is_skipped_with_SBX006()
    {
        var run = Run(Header + """
            paths:
              /a:
                get:
                  operationId: probe
                  parameters:
                    - { name: x, in: matrix, schema: { type: string } }
                  responses: { "204": { description: ok } }
            """);
        // The parameter is skipped with SBX006; Microsoft.OpenApi also says what it read past (SBX013 messages, not warnings).
        Assert.That(run.GeneratorWarnings.Select(d => d.Id), Is.EqualTo(new[] { "SBX006" }));
        Assert.That(run.GeneratorDiagnostics.Where(d => d.Id != "SBX006").Select(d => d.Id), Is.All.EqualTo("SBX013"));
        Assert.That(run.Sources["Probe.g.cs"], Does.Contain(" ProbeAsync(").And.Not.Contain("string? x "));
        AssertBuilds(run);
    }

    [Test]
    public void Two_specs_with_one_client_name_is_SBX007_not_a_crash()
    {
        var spec = Header + "paths: {}\n";
        var run = GeneratorHarness.Run([new SpecFile("/a/probe.yaml", spec), new SpecFile("/b/probe.yaml", spec)]);
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX007" }));
        AssertBuilds(run);
    }

    [Test]
    public void Invalid_options_are_SBX008_and_fall_back_to_defaults()
    {
        var run = Run(Header + "paths: {}\n", new Dictionary<string, string>
        {
            ["Namespace"] = "not a namespace",
            ["ClientName"] = "bad name",
            ["Visibility"] = "protected",
        });
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX008", "SBX008", "SBX008" }));
        Assert.That(run.Sources.Keys, Does.Contain("Probe.g.cs"));
        Assert.That(run.Sources["Probe.g.cs"], Does.Contain("namespace TestApp.Probe"));
        AssertBuilds(run);
    }

    [Test]
    public void Filters_that_match_nothing_are_SBX009()
    {
        var run = Run(Header + "paths:\n  /a:\n    get:\n      responses: { '204': { description: ok } }\n",
            new Dictionary<string, string> { ["IncludeTags"] = "nothing" });
        // The unmatched filter itself (SBX014), then the empty result (SBX009).
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX014", "SBX009" }));
        AssertBuilds(run);
    }

    [Test]
    public void Discriminator_over_inline_variants_is_an_SBX010_union()
    {
        var run = Run(Header + """
            paths: {}
            components:
              schemas:
                Either:
                  oneOf:
                    - type: object
                      properties: { kind: { type: string }, a: { type: string } }
                    - type: object
                      properties: { kind: { type: string }, b: { type: string } }
                  discriminator: { propertyName: kind }
            """);
        var diagnostic = run.GeneratorDiagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("SBX010"));
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Info));
        Assert.That(run.Sources["Probe.g.cs"], Does.Contain("sealed partial class Either : global::Sandboxes.Http.IJsonUnion<Either>"));
        AssertBuilds(run);
    }

    [Test]
    public void Include_filters_select_by_tag_path_prefix_or_operation_id()
    {
        var spec = Header + """
            paths:
              /sandboxes:
                get: { operationId: listSandboxes, tags: [sandboxes], responses: { "204": { description: ok } } }
              /files/{path}:
                get: { operationId: readFile, tags: [files], parameters: [{ name: path, in: path, required: true, schema: { type: string } }], responses: { "204": { description: ok } } }
              /teams:
                get: { operationId: listTeams, tags: [teams], responses: { "204": { description: ok } } }
            """;
        var run = Run(spec, new Dictionary<string, string>
        {
            ["IncludeTags"] = "sandboxes",
            ["IncludePaths"] = "/files/",
            ["IncludeOperations"] = "nothingElse",
        });
        var client = run.Sources["Probe.g.cs"];
        Assert.That(client, Does.Contain("ListSandboxesAsync").And.Contain("ReadFileAsync").And.Not.Contain("ListTeamsAsync"));

        var byId = Run(spec, new Dictionary<string, string> { ["IncludeOperations"] = "listTeams" }).Sources["Probe.g.cs"];
        Assert.That(byId, Does.Contain("ListTeamsAsync").And.Not.Contain("ListSandboxesAsync"));
    }

    [Test]
    public void An_operation_without_an_operation_id_is_included_by_the_name_the_compiler_gives_it()
    {
        // E2B's and Jupyter's specs name no operation: their adapters list the method names the client has.
        var spec = Header + """
            paths:
              /sandboxes/{sandboxID}/timeout:
                post: { parameters: [{ name: sandboxID, in: path, required: true, schema: { type: string } }], responses: { "204": { description: ok } } }
              /sandboxes:
                get: { responses: { "204": { description: ok } } }
                post: { responses: { "204": { description: ok } } }
            """;
        var run = Run(spec, new Dictionary<string, string> { ["IncludeOperations"] = "PostSandboxesBySandboxIDTimeout;GetSandboxes;PostSandboxesBySandboxIDTimeoutAsync" });
        var client = run.Sources["Probe.g.cs"];
        Assert.That(client, Does.Contain("PostSandboxesBySandboxIDTimeoutAsync(").And.Contain("GetSandboxesAsync(").And.Not.Contain("PostSandboxesAsync("));
        // A method name given with its Async suffix matches nothing, and says so.
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "SBX014" }));
        Assert.That(run.GeneratorDiagnostics.Single().GetMessage(), Does.Contain("PostSandboxesBySandboxIDTimeoutAsync"));
        AssertBuilds(run);
    }

    [Test]
    public void Options_set_namespace_client_name_base_url_provider_and_visibility()
    {
        var run = Run(Header + "servers: [{ url: 'https://spec.example.test' }]\npaths: {}\n", new Dictionary<string, string>
        {
            ["Namespace"] = "My.Vendor",
            ["ClientName"] = "Vendor",
            ["BaseUrl"] = "https://override.example.test/v2",
            ["Visibility"] = "internal",
        });
        Assert.That(run.Sources.Keys, Is.EquivalentTo(new[] { "Vendor.g.cs" }));
        var client = run.Sources["Vendor.g.cs"];
        Assert.That(client, Does.Contain("namespace My.Vendor"));
        Assert.That(client, Does.Contain("internal partial interface IVendorApi"));
        Assert.That(client, Does.Contain("internal sealed partial class VendorJsonContext"));
        Assert.That(client, Does.Contain("DefaultBaseUrl = \"https://override.example.test/v2\""));
        AssertBuilds(run);
    }

    [Test]
    public void Schemas_named_like_generated_members_are_renamed_and_still_build()
    {
        var run = Run(Header + """
            paths: {}
            components:
              schemas:
                Value: { type: string, enum: [a, b] }
                Json: { oneOf: [{ type: string }, { type: integer }] }
                Kind: { type: object, properties: { kind: { type: string }, value: { type: string } } }
                class: { type: object, properties: { "@type": { type: string }, "1st": { type: integer }, "": { type: string } } }
            """);
        var models = run.Sources["Probe.g.cs"];
        Assert.That(models, Does.Contain("struct ValueSchema ").And.Contain("class JsonSchema ").And.Contain("record KindSchema").And.Contain("record Class"));
        AssertBuilds(run);
    }

    [Test]
    public void Parameters_named_like_generated_locals_or_keywords_still_build()
    {
        var run = Run(Header + """
            paths:
              /things/{class}:
                post:
                  operationId: probe
                  parameters:
                    - { name: class, in: path, required: true, schema: { type: string } }
                    - { name: request, in: query, schema: { type: string } }
                    - { name: cancellationToken, in: query, schema: { type: string } }
                    - { name: body, in: header, schema: { type: string } }
                    - { name: x-request-id, in: header, schema: { type: string } }
                  requestBody:
                    content:
                      application/json:
                        schema: { type: object, properties: { a: { type: string } } }
                  responses: { "204": { description: ok } }
            """);
        var client = run.Sources["Probe.g.cs"];
        Assert.That(client, Does.Contain("string @class").And.Contain("string? request = default").And.Contain("string? cancellationToken2").And.Contain("body2"));
        AssertBuilds(run);
    }

    [Test]
    public void Names_without_operation_id_derive_from_method_and_path()
    {
        var run = Run(Header + """
            paths:
              /sandboxes/{sandboxID}/timeout:
                post:
                  parameters: [{ name: sandboxID, in: path, required: true, schema: { type: string } }]
                  responses: { "204": { description: ok } }
              /v2/sandboxes:
                get: { responses: { "204": { description: ok } } }
            """);
        var client = run.Sources["Probe.g.cs"];
        Assert.That(client, Does.Contain(" PostSandboxesBySandboxIDTimeoutAsync(").And.Contain(" GetV2SandboxesAsync("));
    }
}
