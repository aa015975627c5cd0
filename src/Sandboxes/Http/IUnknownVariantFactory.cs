using System.Text.Json;

namespace Sandboxes.Http;

/// <summary>Makes an unknown variant from raw JSON, for <see cref="UnknownVariantJsonConverter{TUnknown}"/>.</summary>
/// <typeparam name="TSelf">The generated unknown variant itself.</typeparam>
public interface IUnknownVariantFactory<TSelf>
    where TSelf : IUnknownVariantFactory<TSelf>
{
    /// <summary>Wraps a raw JSON value.</summary>
    static abstract TSelf FromJson(JsonElement json);
}
