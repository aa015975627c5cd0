using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// The jupyter provider on a real Jupyter Server that the provider starts (Debian's jupyter-server and
/// python3-ipykernel), jailed with bubblewrap so that its paths are those of every other target.
/// </summary>
public sealed class JupyterTarget : ProviderTarget
{
    /// <inheritdoc />
    public override string Name => "jupyter";

    /// <inheritdoc />
    public override string Provider => "jupyter";

    /// <inheritdoc />
    public override string? Category => "Jupyter";

    /// <inheritdoc />
    public override ProviderConfig Config => new() { Extra = new Dictionary<string, object?> { ["isolation"] = "namespaces" } };

    /// <inheritdoc />
    protected override Task StartCoreAsync()
    {
        Requires.Bubblewrap();
        Requires.Jupyter();
        return Task.CompletedTask;
    }
}
