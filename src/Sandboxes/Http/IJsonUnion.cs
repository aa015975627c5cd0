using System.Text.Json;

namespace Sandboxes.Http;

/// <summary>
/// A value that may take several shapes (<c>oneOf</c>/<c>anyOf</c> without a discriminator). It keeps the raw JSON and
/// offers typed accessors; <see cref="JsonUnionConverter{T}"/> serializes it unchanged.
/// </summary>
/// <typeparam name="TSelf">The union type itself.</typeparam>
public interface IJsonUnion<TSelf>
    where TSelf : IJsonUnion<TSelf>
{
    /// <summary>The raw JSON value.</summary>
    JsonElement Json { get; }

    /// <summary>Wraps a raw JSON value.</summary>
    static abstract TSelf FromJson(JsonElement json);
}
