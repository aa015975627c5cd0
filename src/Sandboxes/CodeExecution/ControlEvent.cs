using System.Text.Json;

namespace Sandboxes.CodeExecution;

/// <summary>A control line a driver wrote: <c>ready</c>, <c>start</c>, <c>display</c>, <c>error</c>, <c>end</c>,
/// <c>missing</c> (no runtime) or <c>compile_error</c>.</summary>
internal sealed class ControlEvent
{
    private ControlEvent(JsonElement root) => Root = root;

    /// <summary>The whole event.</summary>
    public JsonElement Root { get; }

    /// <summary>Its type (<c>t</c>).</summary>
    public string Type => String("t") ?? string.Empty;

    /// <summary>The request it belongs to (<c>start</c> and <c>end</c>).</summary>
    public string? Id => String("id");

    /// <summary>Parses one control line's JSON; null when it is not a JSON object with a type.</summary>
    public static ControlEvent? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("t", out _) ? new ControlEvent(root) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string property, or null.</summary>
    public string? String(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An integer property, or null.</summary>
    public int? Int(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    /// <summary>A boolean property (false when absent).</summary>
    public bool Bool(string name) => Root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>The MIME bundle of a <c>display</c> event.</summary>
    public MimeBundle? Bundle() => Root.TryGetProperty("data", out var data) ? MimeBundleReader.Read(data, Bool("main")) : null;

    /// <summary>The error of an <c>error</c> event.</summary>
    public ExecutionError Error() => new(String("name") ?? "Error", String("value") ?? string.Empty, String("traceback") ?? string.Empty);
}
