using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>The local provider with namespace isolation (bubblewrap).</summary>
public sealed class LocalTarget : ProviderTarget
{
    /// <inheritdoc />
    public override string Name => "local";

    /// <inheritdoc />
    public override string Provider => "local";

    /// <inheritdoc />
    public override ProviderConfig Config => TestEnvironment.LocalConfig("namespaces");

    /// <inheritdoc />
    protected override Task StartCoreAsync()
    {
        Requires.Bubblewrap();
        return Task.CompletedTask;
    }
}
