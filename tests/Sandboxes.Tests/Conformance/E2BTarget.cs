using Sandboxes.Emulators;
using Sandboxes.Emulators.E2B;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// The e2b provider against the E2B emulator. Control-plane calls go through Prism proxying <c>specs/e2b/openapi.yml</c>;
/// envd is reached directly through <c>sandbox_url</c> (as with <c>E2B_SANDBOX_URL</c>): Prism cannot carry envd's
/// Connect RPC (no OpenAPI describes it; the emulator parses each message strictly with the protos instead) nor binary
/// file bodies (it decodes them as text). <c>E2BEnvdPrismTests</c> puts Prism in front of envd's <c>/files</c> with text
/// content. The working directory is <c>/workspace</c>, the suite's convention; E2B's own default is the user's home.
/// </summary>
public sealed class E2BTarget : EmulatorTarget
{
    /// <inheritdoc />
    public override string Name => "e2b (emulator, prism)";

    /// <inheritdoc />
    public override string Provider => "e2b";

    /// <inheritdoc />
    public override string? Category => "Prism";

    /// <inheritdoc />
    /// <remarks>Port URLs use E2B's host scheme (<c>https://PORT-ID.e2b.app</c>), which does not reach the emulator.</remarks>
    public override bool PortsReachable => false;

    /// <inheritdoc />
    /// <remarks>A paused E2B sandbox is a saved microVM: envd does not run, and E2B's proxy answers 502 until it resumes.</remarks>
    public override bool FilesReadableWhilePaused => false;

    /// <inheritdoc />
    public override ProviderConfig Config => new()
    {
        ApiKey = Emulator.Options.ApiKey,
        BaseUrl = Prism.BaseAddress,
        Extra = new Dictionary<string, object?> { ["sandbox_url"] = Emulator.BaseUrl.AbsoluteUri, ["workdir"] = "/workspace" },
    };

    /// <summary>The emulator, typed.</summary>
    public E2BEmulator E2B => (E2BEmulator)Emulator;

    /// <inheritdoc />
    protected override string SpecPath => "specs/e2b/openapi.yml";

    /// <inheritdoc />
    protected override VendorEmulator CreateEmulator(EmulatorOptions options) => new E2BEmulator(options);

    /// <inheritdoc />
    protected override Task StartCoreAsync()
    {
        Requires.Bubblewrap();
        return base.StartCoreAsync();
    }
}
