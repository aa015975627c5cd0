using NUnit.Framework;
using Sandboxes.Providers;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>
/// Every registered provider x every capability: each declared gap throws <see cref="FeatureNotSupportedException"/>
/// (through a generated stub, before any I/O), and each declared capability is really implemented. Providers are those
/// the generator registered: the library's own adapters and this project's test adapters.
/// </summary>
[TestFixture]
public sealed class RegisteredProviderTests
{
    private static IEnumerable<TestCaseData> ProviderCapabilities()
    {
        foreach (var provider in SandboxProviders.All)
        {
            var capabilities = Capability.WellKnown.Concat(provider.Capabilities.Select(e => e.Capability)).Distinct();
            foreach (var capability in capabilities)
            {
                yield return new TestCaseData(provider.Id, capability.Id).SetName($"{provider.Id} {capability.Id}");
            }
        }
    }

    [Test]
    public void Test_adapters_are_registered_by_the_generated_module_initializer()
    {
        Assert.That(SandboxProviders.Names, Is.SupersetOf(new[] { "test-complete", "test-partial" }));
    }

    [TestCaseSource(nameof(ProviderCapabilities))]
    public void Declared_gaps_throw_and_declared_capabilities_are_implemented(string provider, string capability)
    {
        var descriptor = SandboxProviders.Describe(provider);
        var entry = descriptor.Capabilities.Get(capability);
        using var adapter = SandboxProviders.Create(provider, new ProviderConfig());
        var members = ProviderContract.MembersOf(capability);

        if (entry.IsSupported)
        {
            foreach (var member in members)
            {
                var implementation = ProviderContract.ImplementationOf(adapter.GetType(), member);
                Assert.That(implementation.IsAbstract, Is.False, $"{member.Name} is abstract");
                Assert.That(ProviderContract.IsGeneratedStub(implementation), Is.False, $"{member.Name} is a generated stub although {capability} is {entry.Support}");
            }

            Assert.That(() => descriptor.Capabilities.Require(capability), Throws.Nothing);
            return;
        }

        var supporters = SandboxProviders.ProvidersSupporting(capability);
        foreach (var member in members)
        {
            Assert.That(ProviderContract.IsGeneratedStub(ProviderContract.ImplementationOf(adapter.GetType(), member)), Is.True, $"{member.Name} is not the generated stub");

            // The stub throws at the call itself: no task or enumerator is returned first.
            var supportedBy = supporters.Count == 0 ? "No registered provider supports it" : "Supported by: " + string.Join(", ", supporters);
            Assert.That(() => ProviderContract.Invoke(adapter, member), Throws.InstanceOf<FeatureNotSupportedException>()
                .With.Property(nameof(FeatureNotSupportedException.Capability)).EqualTo(new Capability(capability))
                .And.Property(nameof(FeatureNotSupportedException.Provider)).EqualTo(provider)
                .And.Message.Contain(member.Name + " is not available")
                .And.Message.Contain(supportedBy));
        }

        Assert.That(() => descriptor.Capabilities.Require(capability), Throws.InstanceOf<FeatureNotSupportedException>());
    }

    [TestCaseSource(typeof(SandboxProviders), nameof(SandboxProviders.Names))]
    public void Registered_descriptor_is_its_table(string provider)
    {
        var table = TableFiles.Find(provider);
        Assert.That(table, Is.Not.Null, $"no table names provider '{provider}'");
        Assert.That(table!.Errors, Is.Empty);
        var expected = TableFiles.ToDescriptor(table);
        var actual = SandboxProviders.Describe(provider);

        Assert.That(actual.DisplayName, Is.EqualTo(expected.DisplayName));
        Assert.That(actual.Description, Is.EqualTo(expected.Description));
        Assert.That(actual.DetectionOrder, Is.EqualTo(expected.DetectionOrder));
        Assert.That(actual.CredentialsOptional, Is.EqualTo(expected.CredentialsOptional));
        Assert.That(actual.CredentialVariables, Is.EqualTo(expected.CredentialVariables));
        Assert.That(actual.CredentialKeys, Is.EqualTo(expected.CredentialKeys));
        Assert.That(actual.SettingVariables, Is.EqualTo(expected.SettingVariables));
        Assert.That(actual.SettingKeys, Is.EqualTo(expected.SettingKeys));
        Assert.That(actual.DefaultBaseUrl, Is.EqualTo(expected.DefaultBaseUrl));
        Assert.That(actual.Specs, Is.EqualTo(expected.Specs));
        Assert.That(actual.Capabilities.OrderBy(e => e.Capability.Id, StringComparer.Ordinal),
            Is.EqualTo(expected.Capabilities.OrderBy(e => e.Capability.Id, StringComparer.Ordinal)));
    }
}
