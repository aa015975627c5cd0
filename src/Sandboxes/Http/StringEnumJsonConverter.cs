using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandboxes.Http;

/// <summary>Reads and writes an <see cref="IStringEnum{TSelf}"/> as its JSON string, keeping values it does not know.</summary>
public sealed class StringEnumJsonConverter<T> : JsonConverter<T>
    where T : struct, IStringEnum<T>
{
    /// <summary>True: a JSON null where the spec promised a value reads as the empty enum instead of failing the whole response.</summary>
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => default,
        JsonTokenType.String => T.FromValue(reader.GetString()!),
        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => T.FromValue(ReadRaw(ref reader)),
        _ => throw new JsonException($"Expected a string for {typeof(T).Name}, not {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }

    private static string ReadRaw(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }
}
