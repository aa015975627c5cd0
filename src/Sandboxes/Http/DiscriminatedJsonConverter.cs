using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandboxes.Http;

/// <summary>
/// The base of each generated hierarchy's converter: reads a polymorphic value by its discriminator property and writes it as its runtime type. Unlike STJ's built-in
/// <c>[JsonPolymorphic]</c> support, the discriminator may appear anywhere in the object and stays an ordinary property of
/// each derived type (vendors declare it there); an unlisted value becomes the hierarchy's unknown variant.
/// </summary>
/// <typeparam name="TBase">The base of the hierarchy.</typeparam>
public abstract class DiscriminatedJsonConverter<TBase> : JsonConverter<TBase>
    where TBase : class
{
    private readonly string _propertyName;
    private readonly IReadOnlyDictionary<string, Type> _variants;
    private readonly Func<JsonElement, TBase> _unknown;

    /// <summary>Creates the converter (a generated subclass passes its hierarchy).</summary>
    /// <param name="propertyName">The discriminator property.</param>
    /// <param name="variants">The derived type of each discriminator value.</param>
    /// <param name="unknown">Wraps a value whose discriminator is missing or unlisted.</param>
    protected DiscriminatedJsonConverter(string propertyName, IReadOnlyDictionary<string, Type> variants, Func<JsonElement, TBase> unknown)
    {
        _propertyName = propertyName;
        _variants = variants;
        _unknown = unknown;
    }

    /// <inheritdoc />
    public override TBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(_propertyName, out var tag) &&
            tag.ValueKind == JsonValueKind.String && _variants.TryGetValue(tag.GetString()!, out var type))
        {
            return (TBase)root.Deserialize(options.GetTypeInfo(type))!;
        }

        return _unknown(root.Clone());
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        if (value is IUnknownVariant unknown)
        {
            unknown.Json.WriteTo(writer);
            return;
        }

        JsonSerializer.Serialize(writer, value, options.GetTypeInfo(value.GetType()));
    }
}
