using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Daytona;

/// <summary>Small JSON texts Daytona takes inside other values.</summary>
internal static class DaytonaJson
{
    /// <summary>The <c>labels</c> query of <c>GET /sandbox</c>: a JSON object of the labels that must all match.</summary>
    public static string Labels(IReadOnlyDictionary<string, string> labels)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
