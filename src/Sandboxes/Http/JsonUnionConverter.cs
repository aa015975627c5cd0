using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandboxes.Http;

/// <summary>Reads and writes an <see cref="IJsonUnion{TSelf}"/> as the raw JSON it holds.</summary>
public sealed class JsonUnionConverter<T> : JsonConverter<T>
    where T : IJsonUnion<T>
{
    /// <inheritdoc />
    public override bool HandleNull => false;

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return T.FromJson(document.RootElement.Clone());
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        value.Json.WriteTo(writer);
    }
}
