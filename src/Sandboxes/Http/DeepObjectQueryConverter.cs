using Refit;

namespace Sandboxes.Http;

/// <summary>
/// Writes an OpenAPI <c>style: deepObject</c> query parameter as <c>name[key]=value</c> pairs, which Refit's own
/// flattening (<c>name.key</c>) does not produce. Generated interfaces attach it with <see cref="QueryConverterAttribute"/>.
/// </summary>
public sealed class DeepObjectQueryConverter : IQueryConverter<IDictionary<string, string>>
{
    /// <inheritdoc />
    public void Flatten(IDictionary<string, string> value, string keyPrefix, ref GeneratedQueryStringBuilder builder, RefitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var (key, item) in value)
        {
            // Encoded here so the brackets stay brackets, as servers reading deepObject expect.
            builder.Add(Uri.EscapeDataString(keyPrefix) + "[" + Uri.EscapeDataString(key) + "]", Uri.EscapeDataString(item), true);
        }
    }
}
