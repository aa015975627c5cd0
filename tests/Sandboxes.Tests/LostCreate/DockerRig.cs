using System.Text.Json.Nodes;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// The engine's <c>POST /containers/create</c> through the proxy, which listens on TCP in front of the engine's unix
/// socket and carries the hijacked exec streams too.
/// </summary>
public sealed class DockerRig(DockerTarget target) : ProxiedRig
{
    /// <inheritdoc />
    protected override string Provider => "docker";

    /// <inheritdoc />
    protected override string CreatePath => "/containers/create$";

    /// <inheritdoc />
    protected override ProviderConfig DirectConfig => target.Config;

    /// <inheritdoc />
    protected override Task<Uri> UpstreamAsync() => Task.FromResult(new Uri(target.Engine.DockerHost));

    /// <inheritdoc />
    protected override ProviderConfig Through(FaultInjectingProxy proxy) => target.Config with { BaseUrl = new Uri(proxy.TcpAddress) };

    /// <inheritdoc />
    protected override string SandboxIdOf(JsonNode answer) => answer["Id"]!.GetValue<string>();
}
