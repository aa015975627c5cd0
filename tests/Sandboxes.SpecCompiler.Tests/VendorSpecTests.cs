using Microsoft.CodeAnalysis;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>Every vendor spec in specs/ compiles into code that builds with zero errors and no warnings beyond documented skips.</summary>
[TestFixture]
public sealed class VendorSpecTests
{
    /// <summary>The specs and the SBX warnings each is documented to produce (see the generator README).</summary>
    public static readonly object[] Specs =
    [
        new object[] { "specs/e2b/openapi.yml", Array.Empty<string>() },
        new object[] { "specs/e2b/openapi-volumecontent.yml", Array.Empty<string>() },
        new object[] { "specs/e2b/envd/envd.yaml", Array.Empty<string>() },
        new object[] { "specs/daytona/api.json", Array.Empty<string>() },
        new object[] { "specs/daytona/toolbox.json", Array.Empty<string>() },
        new object[] { "specs/daytona/analytics.json", Array.Empty<string>() },
        new object[] { "specs/docker/v1.55.yaml", Array.Empty<string>() },
        new object[] { "specs/docker/swagger.yaml", Array.Empty<string>() },
        new object[] { "specs/jupyter/api.yaml", Array.Empty<string>() },
        new object[] { "specs/blaxel/controlplane.yml", Array.Empty<string>() },
        new object[] { "specs/blaxel/sandbox-api.yml", Array.Empty<string>() },
        new object[] { "specs/hopx/openapi_public.json", Array.Empty<string>() },
        new object[] { "specs/hopx/openapi_agent.json", Array.Empty<string>() },
        new object[] { "specs/fly/machines-openapi.json", Array.Empty<string>() },
        new object[] { "specs/sprites/openapi.distilled-mirror.json", Array.Empty<string>() },
        new object[] { "specs/cloudflare/bridge-openapi.derived.json", Array.Empty<string>() },
        new object[] { "specs/runloop/UNOFFICIAL-api-evangelist-runloop-api-openapi.yml", Array.Empty<string>() },
    ];

    [TestCaseSource(nameof(Specs))]
    public void Spec_compiles_without_errors_or_undocumented_warnings(string path, string[] documentedWarnings)
    {
        var run = GeneratorHarness.Run([SpecFile.FromRepository(path)]);
        TestContext.Out.WriteLine($"{path}: generator {run.Elapsed.TotalMilliseconds:F0} ms, {run.Sources.Sum(s => s.Value.Length) / 1024} KiB of C#");
        foreach (var diagnostic in run.GeneratorDiagnostics)
        {
            TestContext.Out.WriteLine("  " + diagnostic);
        }

        Assert.That(run.Sources, Is.Not.Empty, GeneratorHarness.Describe(run.GeneratorDiagnostics));
        var unexpected = run.GeneratorWarnings.Where(d => !documentedWarnings.Contains(d.Id)).ToList();
        Assert.That(unexpected, Is.Empty, GeneratorHarness.Describe(unexpected));
        Assert.That(run.CompileProblems, Is.Empty, GeneratorHarness.Describe(run.CompileProblems));
    }
}
