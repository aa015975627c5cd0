using System.Text.Json.Serialization;

namespace Sandboxes.CodeExecution;

/// <summary>Source-generated JSON for the context registry (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContextRecord))]
internal sealed partial class CodeJsonContext : JsonSerializerContext
{
}
