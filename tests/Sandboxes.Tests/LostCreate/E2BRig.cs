using System.Text.Json.Nodes;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.LostCreate;

/// <summary>E2B's <c>POST /sandboxes</c> through the proxy, in front of Prism and the emulator (envd is reached directly).</summary>
public sealed class E2BRig(E2BTarget target) : ProxiedRig
{
    /// <inheritdoc />
    protected override string Provider => "e2b";

    /// <inheritdoc />
    protected override string CreatePath => "^/sandboxes$";

    /// <inheritdoc />
    protected override ProviderConfig DirectConfig => target.Config;

    /// <inheritdoc />
    protected override Task<Uri> UpstreamAsync() => Task.FromResult(target.Prism.BaseAddress);

    /// <inheritdoc />
    protected override ProviderConfig Through(FaultInjectingProxy proxy) => target.Config with { BaseUrl = proxy.BaseUrl };

    /// <inheritdoc />
    protected override string SandboxIdOf(JsonNode answer) => answer["sandboxID"]!.GetValue<string>();
}
