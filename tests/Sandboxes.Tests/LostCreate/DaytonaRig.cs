using System.Text.Json.Nodes;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.LostCreate;

/// <summary>Daytona's <c>POST /sandbox</c> through the proxy, in front of Prism and the emulator (the toolbox is reached as usual).</summary>
public sealed class DaytonaRig(DaytonaTarget target) : ProxiedRig
{
    /// <inheritdoc />
    protected override string Provider => "daytona";

    /// <inheritdoc />
    protected override string CreatePath => "^/sandbox$";

    /// <inheritdoc />
    protected override ProviderConfig DirectConfig => target.Config;

    /// <inheritdoc />
    protected override Task<Uri> UpstreamAsync() => Task.FromResult(target.Prism.BaseAddress);

    /// <inheritdoc />
    protected override ProviderConfig Through(FaultInjectingProxy proxy) => target.Config with { BaseUrl = proxy.BaseUrl };

    /// <inheritdoc />
    protected override string SandboxIdOf(JsonNode answer) => answer["id"]!.GetValue<string>();
}
