using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>Text baselines of the generated code for small inputs; the output must also compile cleanly.</summary>
[TestFixture]
public sealed class BaselineTests
{
    [Test]
    public void Adapter_with_gaps_gets_descriptor_registration_and_stubs()
    {
        // pty, snapshot and commands.stream (an async-enumerable member) are declared unsupported.
        string[] supported = ["lifecycle", "labels", "env", "commands.run", "commands.background", "commands.stdin", "commands.kill",
            "commands.list", "files.read", "files.write", "files.list", "files.mkdir", "files.remove", "files.exists", "pause", "ports"];
        var source = AdapterSource.Create("demo", "DemoProvider", supported);
        var table = InMemoryAdditionalText.Table("demo", TableJson.Create("demo", supported));

        var run = GeneratorHarness.Run(source, table);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompilationErrors, Is.Empty);
        Assert.That(run.HintNames, Is.EqualTo(new[] { "Demo.DemoProvider.Capabilities.g.cs" }));
        Baseline.AssertMatches(run.Generated("Demo.DemoProvider.Capabilities.g.cs"), "DemoProvider.Capabilities.g.cs.txt");
    }

    [Test]
    public void Complete_adapter_in_the_global_namespace_gets_every_descriptor_field_and_no_stub()
    {
        const string root = """
              "description": "Everything, with \"quotes\" and a back\\slash.",
              "detectionOrder": 20,
              "credentials": { "optional": true, "environment": ["FULL_TOKEN", "FULL_KEY"], "configKeys": ["api_key"] },
              "settings": { "environment": ["FULL_URL"], "configKeys": ["region"] },
              "defaultBaseUrl": "https://full.test.invalid/v1",
              "specs": ["full/openapi.yml"],

            """;
        var source = AdapterSource.Create("full", "FullProvider", AdapterSource.CapabilitiesWithMembers, ns: null, declaration: "public sealed partial class");
        var table = InMemoryAdditionalText.Table("full", TableJson.AllNative("full", root));

        var run = GeneratorHarness.Run(source, table);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompilationErrors, Is.Empty);
        Baseline.AssertMatches(run.Generated("FullProvider.Capabilities.g.cs"), "FullProvider.Capabilities.g.cs.txt");
    }
}
