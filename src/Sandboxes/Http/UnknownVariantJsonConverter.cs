using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandboxes.Http;

/// <summary>
/// Reads and writes a hierarchy's unknown variant as the raw JSON it keeps. Needed beside the base's converter because
/// Refit serializes a request body by its runtime type, which for an unknown variant is this record, not the base.
/// </summary>
/// <typeparam name="TUnknown">The generated unknown variant.</typeparam>
public sealed class UnknownVariantJsonConverter<TUnknown> : JsonConverter<TUnknown>
    where TUnknown : class, IUnknownVariant, IUnknownVariantFactory<TUnknown>
{
    /// <inheritdoc />
    public override TUnknown Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return TUnknown.FromJson(document.RootElement.Clone());
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TUnknown value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        value.Json.WriteTo(writer);
    }
}
