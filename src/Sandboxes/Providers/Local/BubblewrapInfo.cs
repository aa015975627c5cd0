using System.Text.Json.Serialization;

namespace Sandboxes.Providers.Local;

/// <summary>What bubblewrap writes to its <c>--info-fd</c>.</summary>
internal sealed record BubblewrapInfo
{
    [JsonPropertyName("child-pid")]
    public int ChildPid { get; init; }
}
