using System.Text.Json;

namespace Sandboxes.CodeExecution;

/// <summary>Builds <see cref="MimeBundle"/>s from the <c>data</c> objects of drivers' and kernels' messages.</summary>
internal static class MimeBundleReader
{
    /// <summary>The bundle of a <c>data</c> object; null when it is not an object.</summary>
    public static MimeBundle? Read(JsonElement data, bool isMainResult)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var formats = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            formats[property.Name] = property.Value.Clone();
        }

        return new MimeBundle(formats, isMainResult);
    }
}
