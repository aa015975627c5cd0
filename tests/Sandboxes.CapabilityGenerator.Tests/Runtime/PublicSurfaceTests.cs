using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>What users see: capabilities on the client and the sandbox, descriptors by name, and loud failures for gaps.</summary>
[TestFixture]
public sealed class PublicSurfaceTests
{
    [Test]
    public void Describe_returns_the_generated_descriptor()
    {
        var descriptor = SandboxProviders.Describe("TEST-PARTIAL");

        Assert.That(descriptor.Id, Is.EqualTo("test-partial"));
        Assert.That(descriptor.DisplayName, Is.EqualTo("Partial test provider"));
        Assert.That(descriptor.CredentialVariables, Is.EqualTo(new[] { "SANDBOXES_TEST_PARTIAL_KEY" }));
        Assert.That(descriptor.Capabilities.Get(Capability.FilesMakeDir).Support, Is.EqualTo(CapabilitySupport.Emulated));
        Assert.That(descriptor.Capabilities.Get(Capability.FilesMakeDir).Note, Is.EqualTo("mkdir -p runs as a command."));
    }

    [Test]
    public void Describe_an_unknown_provider_lists_the_known_ones()
    {
        Assert.That(() => SandboxProviders.Describe("nope"),
            Throws.InstanceOf<BadConfigException>().With.Message.Contain("test-complete").And.Message.Contain("test-partial"));
    }

    [Test]
    public void Sandbox_capabilities_come_from_the_table_and_gaps_throw_through_the_public_api()
    {
        using var client = new Sandboxer("test-partial");
        var (sandbox, _) = client.CreateSandbox();
        using (sandbox)
        {
            Assert.That(sandbox.Capabilities.Supports(Capability.Pty), Is.False);
            Assert.That(sandbox.Capabilities.Supports(Capability.CommandsRun), Is.True);
            Assert.That(client.Capabilities.Supports(Capability.FilesMakeDir), Is.True, "emulated counts as supported");

            Assert.That(() => sandbox.CreatePty(),
                Throws.InstanceOf<FeatureNotSupportedException>()
                    .With.Message.Contain("'test-partial' provider does not support pty")
                    .And.Message.Contain("CreatePtyAsync is not available")
                    .And.Message.Contain("The partial test provider lacks pty.")
                    .And.Message.Contain("Supported by: ").And.Message.Contain("test-complete"));
            Assert.That(() => sandbox.Pause(), Throws.InstanceOf<FeatureNotSupportedException>().With.Property(nameof(FeatureNotSupportedException.Capability)).EqualTo(Capability.PauseResume));
        }
    }

    [Test]
    public void A_request_field_the_table_declares_unsupported_fails_loudly_before_reaching_the_adapter()
    {
        using var client = new Sandboxer("test-partial");

        Assert.That(() => client.CreateSandbox(new CreateSandboxRequest { Cpus = 2 }),
            Throws.InstanceOf<FeatureNotSupportedException>()
                .With.Message.Contain("CreateSandboxRequest.Cpus")
                .And.Message.Contain("The partial test provider lacks limits.cpu"));
    }

    [Test]
    public void Async_enumerable_stub_throws_at_call_time_not_on_first_iteration()
    {
        using var adapter = SandboxProviders.Create("test-partial", new ProviderConfig());

        Assert.That(() => adapter.StreamCommandAsync("id", new RunCommandRequest("true"), CancellationToken.None),
            Throws.InstanceOf<FeatureNotSupportedException>());
        Assert.That(() => adapter.AttachCommandAsync("id", "handle", CancellationToken.None),
            Throws.InstanceOf<FeatureNotSupportedException>());
    }
}
