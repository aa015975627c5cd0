using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Sandboxes.Http;

/// <summary>
/// Shortcuts over <see cref="JsonMetadataServices"/> for the JSON contexts the spec compiler generates: the same
/// source-generated metadata System.Text.Json's own generator writes (no reflection at run time), in fewer lines.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class JsonMetadata
{
    /// <summary>Metadata of an object type with a parameterless constructor and settable properties.</summary>
    public static JsonTypeInfo<T> Object<T>(JsonSerializerOptions options, Func<T>? creator, Func<JsonPropertyInfo[]> properties)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(options);
        return JsonMetadataServices.CreateObjectInfo(options, new JsonObjectInfoValues<T>
        {
            ObjectCreator = creator,
            PropertyMetadataInitializer = _ => properties(),

            // The type-level setting would otherwise be Strict and hide the options' (numbers sent as strings are read).
            NumberHandling = options.NumberHandling,
        });
    }

    /// <summary>Metadata of one property.</summary>
    /// <param name="options">The options the metadata belongs to.</param>
    /// <param name="name">The C# property name.</param>
    /// <param name="jsonName">The JSON name.</param>
    /// <param name="getter">Reads the property.</param>
    /// <param name="setter">Writes the property.</param>
    /// <param name="omitWhenNull">True to leave the property out of the JSON when it is null.</param>
    public static JsonPropertyInfo Property<TOwner, TValue>(JsonSerializerOptions options, string name, string jsonName,
        Func<TOwner, TValue> getter, Action<TOwner, TValue> setter, bool omitWhenNull)
    {
        ArgumentNullException.ThrowIfNull(getter);
        ArgumentNullException.ThrowIfNull(setter);
        return JsonMetadataServices.CreatePropertyInfo(options, new JsonPropertyInfoValues<TValue>
        {
            IsProperty = true,
            IsPublic = true,
            DeclaringType = typeof(TOwner),
            Getter = owner => getter((TOwner)owner),
            Setter = (owner, value) => setter((TOwner)owner, value!),
            PropertyName = name,
            JsonPropertyName = jsonName,
            IgnoreCondition = omitWhenNull ? JsonIgnoreCondition.WhenWritingNull : null,
        });
    }

    /// <summary>Metadata of a type written by <paramref name="converter"/>.</summary>
    public static JsonTypeInfo<T> Value<T>(JsonSerializerOptions options, JsonConverter<T> converter) =>
        JsonMetadataServices.CreateValueInfo<T>(options, converter);

    /// <summary>Metadata of <see cref="List{T}"/>.</summary>
    public static JsonTypeInfo<List<T>> List<T>(JsonSerializerOptions options) =>
        JsonMetadataServices.CreateListInfo<List<T>, T>(options, new JsonCollectionInfoValues<List<T>> { ObjectCreator = static () => new List<T>() });

    /// <summary>Metadata of <see cref="Dictionary{TKey, TValue}"/> keyed by string.</summary>
    public static JsonTypeInfo<Dictionary<string, T>> Map<T>(JsonSerializerOptions options) =>
        JsonMetadataServices.CreateDictionaryInfo<Dictionary<string, T>, string, T>(options,
            new JsonCollectionInfoValues<Dictionary<string, T>> { ObjectCreator = static () => new Dictionary<string, T>(StringComparer.Ordinal) });

    /// <summary>Metadata of a nullable value type.</summary>
    public static JsonTypeInfo<T?> Nullable<T>(JsonSerializerOptions options)
        where T : struct =>
        JsonMetadataServices.CreateValueInfo<T?>(options, JsonMetadataServices.GetNullableConverter<T>(options));

    /// <summary>Metadata of the built-in types generated models use (string, numbers, bool, dates, Guid, byte[], JsonElement, object), or null.</summary>
    public static JsonTypeInfo? BuiltIn(Type type, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type == typeof(string) ? Value(options, JsonMetadataServices.StringConverter)
            : type == typeof(int) ? Value(options, JsonMetadataServices.Int32Converter)
            : type == typeof(long) ? Value(options, JsonMetadataServices.Int64Converter)
            : type == typeof(double) ? Value(options, JsonMetadataServices.DoubleConverter)
            : type == typeof(float) ? Value(options, JsonMetadataServices.SingleConverter)
            : type == typeof(decimal) ? Value(options, JsonMetadataServices.DecimalConverter)
            : type == typeof(bool) ? Value(options, JsonMetadataServices.BooleanConverter)
            : type == typeof(DateTimeOffset) ? Value(options, JsonMetadataServices.DateTimeOffsetConverter)
            : type == typeof(DateOnly) ? Value(options, JsonMetadataServices.DateOnlyConverter)
            : type == typeof(Guid) ? Value(options, JsonMetadataServices.GuidConverter)
            : type == typeof(Uri) ? Value(options, JsonMetadataServices.UriConverter)
            : type == typeof(byte[]) ? Value(options, JsonMetadataServices.ByteArrayConverter)
            : type == typeof(JsonElement) ? Value(options, JsonMetadataServices.JsonElementConverter)
            : type == typeof(object) ? Value(options, JsonMetadataServices.ObjectConverter)
            : type == typeof(int?) ? Nullable<int>(options)
            : type == typeof(long?) ? Nullable<long>(options)
            : type == typeof(double?) ? Nullable<double>(options)
            : type == typeof(float?) ? Nullable<float>(options)
            : type == typeof(decimal?) ? Nullable<decimal>(options)
            : type == typeof(bool?) ? Nullable<bool>(options)
            : type == typeof(DateTimeOffset?) ? Nullable<DateTimeOffset>(options)
            : type == typeof(DateOnly?) ? Nullable<DateOnly>(options)
            : type == typeof(Guid?) ? Nullable<Guid>(options)
            : type == typeof(JsonElement?) ? Nullable<JsonElement>(options)
            : null;
    }

    /// <summary>The options a generated context starts from: web defaults, out-of-order metadata allowed, no reflection fallback.</summary>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        AllowOutOfOrderMetadataProperties = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}
