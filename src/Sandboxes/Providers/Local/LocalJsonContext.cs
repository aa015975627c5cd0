using System.Text.Json.Serialization;

namespace Sandboxes.Providers.Local;

/// <summary>Source-generated JSON for the local provider's state files (no reflection at run time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalSandboxRecord))]
[JsonSerializable(typeof(LocalSnapshotRecord))]
[JsonSerializable(typeof(BubblewrapInfo))]
internal sealed partial class LocalJsonContext : JsonSerializerContext
{
}
