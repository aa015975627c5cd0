using NUnit.Framework;

namespace Sandboxes.Tests.Core;

/// <summary>Requests are checked against the capability table before anything is sent.</summary>
public sealed class ValidationTests
{
    [Test]
    public void A_field_whose_capability_is_absent_fails_naming_the_field_and_the_providers_that_have_it()
    {
        var capabilities = new ProviderCapabilities("limited", [new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native)]);

        var error = Assert.Throws<FeatureNotSupportedException>(() =>
            RequestValidator.Validate(capabilities, new CreateSandboxRequest { MemoryMb = 256 }));

        Assert.That(error!.Provider, Is.EqualTo("limited"));
        Assert.That(error.Capability, Is.EqualTo(Capability.MemoryLimit));
        Assert.That(error.Message, Does.Contain("CreateSandboxRequest.MemoryMb").And.Contain("local"));
    }

    [Test]
    public void Run_as_user_on_a_provider_without_it_fails_loudly()
    {
        var capabilities = new ProviderCapabilities("limited", [new CapabilityEntry(Capability.CommandsRun, CapabilitySupport.Native)]);

        Assert.That(() => RequestValidator.Validate(capabilities, new RunCommandRequest("id") { User = "user" }),
            Throws.InstanceOf<FeatureNotSupportedException>().With.Property(nameof(FeatureNotSupportedException.Capability)).EqualTo(Capability.RunAsUser));
    }

    [TestCase(0.0)]
    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    public void A_non_positive_command_timeout_is_bad_input(double seconds)
    {
        var capabilities = SandboxProviders.Describe("local").Capabilities;

        Assert.That(() => RequestValidator.Validate(capabilities, new RunCommandRequest("true") { TimeoutSeconds = seconds }),
            Throws.InstanceOf<BadConfigException>());
    }
}
