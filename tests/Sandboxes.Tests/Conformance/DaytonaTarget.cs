using Sandboxes.Emulators;
using Sandboxes.Emulators.Daytona;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// The daytona provider against the Daytona emulator, with Prism in front of both of Daytona's APIs:
/// <c>adapter → prism (api.json) → emulator</c> for the control plane, and <c>adapter → emulated toolbox proxy → prism
/// (toolbox.json) → emulator</c> for the toolbox (the proxy serves the WebSockets, which no spec describes). A Daytona
/// minute lasts one second here, so that the suite's one-second lifetime (rounded up to one minute) expires in seconds.
/// </summary>
public sealed class DaytonaTarget : EmulatorTarget
{
    /// <inheritdoc />
    public override string Name => "daytona (emulator, prism)";

    /// <inheritdoc />
    public override string Provider => "daytona";

    /// <inheritdoc />
    public override string? Category => "Prism";

    /// <summary>The running emulator.</summary>
    public DaytonaEmulator Daytona => (DaytonaEmulator)Emulator;

    /// <inheritdoc />
    public override ProviderConfig Config => new() { ApiKey = Emulator.Options.ApiKey, BaseUrl = Prism.BaseAddress };

    /// <inheritdoc />
    protected override string SpecPath => "specs/daytona/api.json";

    /// <inheritdoc />
    protected override VendorEmulator CreateEmulator(EmulatorOptions options) => new DaytonaEmulator(options, minuteLength: TimeSpan.FromSeconds(1));

    /// <inheritdoc />
    protected override async Task StartCoreAsync()
    {
        await base.StartCoreAsync();
        var toolbox = await StartProxyAsync("specs/daytona/toolbox.json", Emulator.BaseUrl);
        Daytona.ToolboxUpstream = toolbox.BaseAddress;
    }
}
