using System.Text.Json;

namespace Sandboxes.Http;

/// <summary>The member of a polymorphic hierarchy that stands for a discriminator value the spec did not list; it keeps the raw JSON.</summary>
public interface IUnknownVariant
{
    /// <summary>The raw JSON value.</summary>
    JsonElement Json { get; }
}
