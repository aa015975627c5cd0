using Sandboxes.Emulators;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// A cloud provider tested through its vendor emulator, with Prism proxying in front and validating every request and
/// response against the vendor's unmodified spec: <c>adapter → prism proxy SPEC → emulator → local provider</c>.
/// A request or response that breaks the spec makes Prism answer 422/500, which fails the test.
/// </summary>
public abstract class EmulatorTarget : ProviderTarget
{
    private readonly List<PrismProcess> _prisms = [];

    /// <summary>The running emulator.</summary>
    public VendorEmulator Emulator { get; private set; } = null!;

    /// <summary>The Prism proxy in front of the emulator's main API.</summary>
    public PrismProcess Prism => _prisms[0];

    /// <summary>The vendor spec Prism validates against (relative to the repository root), e.g. <c>specs/e2b/openapi.yml</c>.</summary>
    protected abstract string SpecPath { get; }

    /// <summary>Creates (not starts) the emulator.</summary>
    protected abstract VendorEmulator CreateEmulator(EmulatorOptions options);

    /// <summary>Starts an additional Prism proxy for another spec of the same emulator (for example E2B's envd).</summary>
    protected async Task<PrismProcess> StartProxyAsync(string spec, Uri upstream)
    {
        var prism = await PrismProcess.StartProxyAsync(spec, upstream);
        _prisms.Add(prism);
        return prism;
    }

    /// <inheritdoc />
    protected override async Task StartCoreAsync()
    {
        Requires.Prism();
        Emulator = CreateEmulator(new EmulatorOptions { StateDir = TestEnvironment.StateDir, Isolation = "auto" });
        await Emulator.StartAsync();
        await StartProxyAsync(SpecPath, Emulator.BaseUrl);
    }

    /// <inheritdoc />
    protected override async Task StopCoreAsync()
    {
        foreach (var prism in _prisms)
        {
            await prism.DisposeAsync();
        }

        _prisms.Clear();
        await Emulator.DisposeAsync();
    }
}
