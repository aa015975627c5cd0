using NUnit.Framework;
using Sandboxes.Providers;

namespace Sandboxes.Tests.Core;

/// <summary>The provider registry: names, descriptions, unknown names, third-party providers.</summary>
public sealed class RegistryTests
{
    [Test]
    public void Built_in_providers_register_themselves_and_names_ignore_case()
    {
        Assert.That(SandboxProviders.Names, Does.Contain("local"));
        Assert.That(SandboxProviders.IsRegistered("LOCAL"), Is.True);
        Assert.That(SandboxProviders.Describe("Local").Id, Is.EqualTo("local"));
    }

    [Test]
    public void An_unknown_provider_is_a_bad_config_listing_the_known_ones()
    {
        var error = Assert.Throws<BadConfigException>(() => _ = new Sandboxer("no-such-provider"));

        Assert.That(error!.Message, Does.Contain("no-such-provider").And.Contain("local"));
    }

    [Test]
    public void Capabilities_are_introspectable_at_run_time()
    {
        var local = SandboxProviders.Describe("local");

        Assert.That(local.Capabilities.Supports(Capability.Pty), Is.True);
        Assert.That(local.Capabilities.Supports(Capability.Gpu), Is.False);
        Assert.That(local.Capabilities.Get(Capability.Gpu).Note, Is.Not.Null.And.Not.Empty);
        Assert.That(SandboxProviders.ProvidersSupporting(Capability.Pty), Does.Contain("local"));
    }

    [Test]
    public void A_third_party_provider_can_register_and_be_created_by_name()
    {
        var descriptor = new ProviderDescriptor("third-party-test", "Third Party",
            [new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native)]);
        SandboxProviders.Register(descriptor, config => SandboxProviders.Create("local", config));
        try
        {
            Assert.That(SandboxProviders.Describe("THIRD-PARTY-TEST").DisplayName, Is.EqualTo("Third Party"));
            using var client = new Sandboxer("third-party-test", TestEnvironment.LocalConfig("process"));
            Assert.That(client.Provider, Is.EqualTo("local"), "the factory decides which adapter serves the name");
        }
        finally
        {
            SandboxProviders.Unregister("third-party-test");
        }

        Assert.That(SandboxProviders.IsRegistered("third-party-test"), Is.False);
    }
}
