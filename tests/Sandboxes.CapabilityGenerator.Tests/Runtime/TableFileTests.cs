using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>
/// The repository's tables (<c>specs/*/provider.json</c>), including those whose adapters are not written yet: each must
/// parse, name every known capability and nothing else, and say what the issue requires.
/// </summary>
[TestFixture]
public sealed class TableFileTests
{
    private static IEnumerable<TestCaseData> Tables() =>
        TableFiles.Specs.Select(path => new TestCaseData(path).SetName("table " + Path.GetFileName(Path.GetDirectoryName(path))));

    [Test]
    public void The_five_first_providers_have_tables()
    {
        Assert.That(TableFiles.Specs.Select(p => Path.GetFileName(Path.GetDirectoryName(p))),
            Is.SupersetOf(new[] { "local", "e2b", "daytona", "docker", "jupyter" }));
    }

    [TestCaseSource(nameof(Tables))]
    public void Table_is_well_formed_and_lists_exactly_the_known_capabilities(string path)
    {
        var table = TableFiles.Parse(path);

        Assert.That(table.Errors.Select(e => e.ToDiagnostic().GetMessage()), Is.Empty);
        Assert.That(table.Id, Is.EqualTo(Path.GetFileName(Path.GetDirectoryName(path))));
        Assert.That(table.Capabilities.Select(r => r.Id), Is.EquivalentTo(TableJson.KnownIds),
            "a table lists every id of Capability.Ids, each native, emulated or unsupported");
        Assert.That(table.Capabilities.Where(r => r.Support != Sandboxes.Generators.Capabilities.SupportLevel.Native).Select(r => r.Note),
            Has.None.Null, "every gap and emulation says why or how");
    }

    [Test]
    public void Local_declares_everything_native_but_gpu_images_and_watching_and_emulates_code_contexts()
    {
        var local = TableFiles.ToDescriptor(TableFiles.Find("local")!);

        foreach (var capability in Capability.WellKnown)
        {
            var expected = capability == Capability.Gpu || capability == Capability.Images || capability == Capability.FilesWatch
                ? CapabilitySupport.NotSupported
                : capability == Capability.CodeContext ? CapabilitySupport.Emulated : CapabilitySupport.Native;
            Assert.That(local.Capabilities.Get(capability).Support, Is.EqualTo(expected), capability.Id);
        }

        Assert.That(local.NeedsNoCredentials, Is.True);
        Assert.That(local.DefaultBaseUrl, Is.Null);
    }

    [Test]
    public void Auto_detection_follows_the_order_of_cased_then_local_last()
    {
        var order = TableFiles.Specs.Select(TableFiles.Parse)
            .Where(t => t.Provider.DetectionOrder is not null)
            .OrderBy(t => t.Provider.DetectionOrder)
            .Select(t => t.Id)
            .ToList();

        // Daytona, E2B, Sprites, Hopx, Modal, Cloudflare, then local; of those, only some have tables yet.
        string[] cased = ["daytona", "e2b", "sprites", "hopx", "modal", "cloudflare", "local"];
        Assert.That(order, Is.EqualTo(cased.Where(order.Contains).ToList()));
        Assert.That(order, Has.Member("local"));
        Assert.That(order.Last(), Is.EqualTo("local"));
    }

    [Test]
    public void Cloud_tables_name_their_credentials_and_settings()
    {
        var e2b = TableFiles.ToDescriptor(TableFiles.Find("e2b")!);
        var daytona = TableFiles.ToDescriptor(TableFiles.Find("daytona")!);
        var docker = TableFiles.ToDescriptor(TableFiles.Find("docker")!);
        var jupyter = TableFiles.ToDescriptor(TableFiles.Find("jupyter")!);

        Assert.That(e2b.CredentialVariables, Is.EqualTo(new[] { "E2B_API_KEY" }));
        Assert.That(e2b.SettingVariables, Is.EqualTo(new[] { "E2B_DOMAIN", "E2B_API_URL", "E2B_SANDBOX_URL" }));
        Assert.That(daytona.CredentialVariables, Is.EqualTo(new[] { "DAYTONA_API_KEY" }));
        Assert.That(daytona.SettingVariables, Is.EqualTo(new[] { "DAYTONA_API_URL", "DAYTONA_TARGET", "DAYTONA_JWT_TOKEN", "DAYTONA_ORGANIZATION_ID" }));
        Assert.That(docker.SettingVariables, Is.EqualTo(new[] { "DOCKER_HOST", "DOCKER_API_VERSION", "SANDBOXES_DOCKER_IMAGE" }));
        Assert.That(docker.NeedsNoCredentials, Is.True);
        Assert.That(jupyter.CredentialVariables, Is.EqualTo(new[] { "JUPYTER_TOKEN" }));
        Assert.That(jupyter.SettingVariables, Is.EqualTo(new[] { "JUPYTER_URL" }));
        Assert.That(jupyter.NeedsNoCredentials, Is.True, "jupyter starts its own server when none is named");
    }
}
