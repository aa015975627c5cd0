using System.Text.Json;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>The Markdown and JSON renderings of <see cref="CapabilityMatrix"/>, and credential detection.</summary>
[TestFixture]
public sealed class CapabilityMatrixTests
{
    private static readonly ProviderDescriptor Cloud = new("cloud", "Cloud | Inc", [
        new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native),
        new CapabilityEntry(Capability.Pty, CapabilitySupport.Emulated, "Through script(1)."),
        new CapabilityEntry(Capability.Gpu, CapabilitySupport.NotSupported, "No GPUs."),
        new CapabilityEntry(new Capability("vendor.extra"), CapabilitySupport.Native),
    ])
    {
        DetectionOrder = 20,
        CredentialVariables = ["CLOUD_KEY", "CLOUD_TOKEN"],
        CredentialKeys = ["api_key"],
        DefaultBaseUrl = new Uri("https://cloud.test.invalid/api"),
    };

    private static readonly ProviderDescriptor Here = new("here", "Here", [new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native)])
    {
        DetectionOrder = 100,
    };

    private static readonly ProviderDescriptor Notebook = new("notebook", "Notebook", [])
    {
        CredentialsOptional = true,
        CredentialVariables = ["NOTEBOOK_TOKEN"],
    };

    private static readonly CapabilityMatrix Matrix = new([Notebook, Here, Cloud]);

    [Test]
    public void Providers_are_in_detection_order_and_capabilities_well_known_first()
    {
        Assert.That(Matrix.Providers.Select(p => p.Id), Is.EqualTo(new[] { "cloud", "here", "notebook" }));
        Assert.That(Matrix.Capabilities.Take(Capability.WellKnown.Count), Is.EqualTo(Capability.WellKnown));
        Assert.That(Matrix.Capabilities.Last().Id, Is.EqualTo("vendor.extra"));
    }

    [Test]
    public void Markdown_has_a_row_per_capability_and_notes_for_gaps()
    {
        var markdown = Matrix.ToMarkdown();
        var lines = markdown.Split('\n');

        Assert.That(lines[0], Is.EqualTo("| Capability | Cloud \\| Inc | Here | Notebook |"));
        Assert.That(lines[1], Is.EqualTo("|---|:-:|:-:|:-:|"));
        Assert.That(lines, Has.Member("| `lifecycle` | native | native | — |"));
        Assert.That(lines, Has.Member("| `pty` | emulated | — | — |"));
        Assert.That(lines, Has.Member("| `vendor.extra` | native | — | — |"));
        Assert.That(lines, Has.Member("| Credentials | `CLOUD_KEY` or `CLOUD_TOKEN` | none | optional: `NOTEBOOK_TOKEN` |"));
        Assert.That(lines, Has.Member("| Auto-detection order | 20 | 100 | never |"));
        Assert.That(lines, Has.Member("- `pty` emulated: Through script(1)."));
        Assert.That(lines, Has.Member("- `limits.gpu` unsupported: No GPUs."));
        Assert.That(markdown, Does.Not.Contain("Credentials here"), "the default rendering does not depend on the machine");
    }

    [Test]
    public void Markdown_can_show_which_credentials_are_configured_here()
    {
        var markdown = Matrix.ToMarkdown(new CapabilityMatrixOptions
        {
            IncludeCredentialStatus = true,
            IncludeNotes = false,
            Environment = name => name == "CLOUD_TOKEN" ? "secret" : null,
        });

        Assert.That(markdown.Split('\n'), Has.Member("| Credentials here | configured | not needed | not needed |"));
        Assert.That(markdown, Does.Not.Contain("Through script(1)"));
        Assert.That(markdown, Does.Not.Contain("secret"));
    }

    [Test]
    public void Json_carries_every_provider_capability_and_credential_status()
    {
        var json = Matrix.ToJson(new CapabilityMatrixOptions { IncludeCredentialStatus = true, Environment = _ => null });
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.That(root.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()), Does.Contain("vendor.extra"));
        var cloud = root.GetProperty("providers")[0];
        Assert.That(cloud.GetProperty("id").GetString(), Is.EqualTo("cloud"));
        Assert.That(cloud.GetProperty("detectionOrder").GetInt32(), Is.EqualTo(20));
        Assert.That(cloud.GetProperty("defaultBaseUrl").GetString(), Is.EqualTo("https://cloud.test.invalid/api"));
        Assert.That(cloud.GetProperty("credentials").GetProperty("status").GetString(), Is.EqualTo("missing"));
        Assert.That(cloud.GetProperty("credentials").GetProperty("environment").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "CLOUD_KEY", "CLOUD_TOKEN" }));
        Assert.That(cloud.GetProperty("capabilities").GetProperty("pty").GetProperty("support").GetString(), Is.EqualTo("emulated"));
        Assert.That(cloud.GetProperty("capabilities").GetProperty("pty").GetProperty("note").GetString(), Is.EqualTo("Through script(1)."));
        var notebook = root.GetProperty("providers")[2];
        Assert.That(notebook.GetProperty("detectionOrder").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(notebook.GetProperty("credentials").GetProperty("status").GetString(), Is.EqualTo("not-needed"));
    }

    [Test]
    public void Json_without_credential_status_is_the_same_on_every_machine()
    {
        using var document = JsonDocument.Parse(Matrix.ToJson());

        Assert.That(document.RootElement.GetProperty("providers")[0].GetProperty("credentials").TryGetProperty("status", out _), Is.False);
    }

    [TestCase(null, null, CredentialStatus.Missing)]
    [TestCase("k", null, CredentialStatus.Configured)]
    [TestCase(null, "t", CredentialStatus.Configured)]
    [TestCase("", null, CredentialStatus.Missing)]
    public void Credential_status_reads_any_of_the_variables(string? key, string? token, CredentialStatus expected)
    {
        var status = Cloud.GetCredentialStatus(name => name switch
        {
            "CLOUD_KEY" => key,
            "CLOUD_TOKEN" => token,
            _ => null,
        });

        Assert.That(status, Is.EqualTo(expected));
    }

    [Test]
    public void Optional_credentials_are_configured_when_set_and_not_needed_otherwise()
    {
        Assert.That(Notebook.GetCredentialStatus(_ => "x"), Is.EqualTo(CredentialStatus.Configured));
        Assert.That(Notebook.GetCredentialStatus(_ => null), Is.EqualTo(CredentialStatus.NotNeeded));
        Assert.That(Notebook.NeedsNoCredentials, Is.True);
        Assert.That(Here.GetCredentialStatus(_ => null), Is.EqualTo(CredentialStatus.NotNeeded));
    }

    [Test]
    public void Registered_matrix_includes_the_generated_providers()
    {
        var matrix = CapabilityMatrix.ForRegisteredProviders();

        Assert.That(matrix.Providers.Select(p => p.Id), Is.SupersetOf(new[] { "test-complete", "test-partial" }));
    }
}
