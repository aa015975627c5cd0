using System.Buffers;
using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// One message of the Jupyter messaging protocol (5.3) as the server's kernel WebSocket carries it: a JSON object with
/// <c>header</c>, <c>parent_header</c>, <c>metadata</c>, <c>content</c> and the <c>channel</c> it belongs to. Over this
/// WebSocket the server signs messages towards the kernel with its own key; clients send them unsigned.
/// </summary>
internal sealed class KernelMessage
{
    private KernelMessage(string channel, string type, string id, string? parentId, JsonElement content)
    {
        Channel = channel;
        Type = type;
        Id = id;
        ParentId = parentId;
        Content = content;
    }

    /// <summary><c>shell</c>, <c>iopub</c>, <c>stdin</c> or <c>control</c>.</summary>
    public string Channel { get; }

    /// <summary>The message type, for example <c>stream</c> or <c>execute_reply</c>.</summary>
    public string Type { get; }

    /// <summary>The message's own id.</summary>
    public string Id { get; }

    /// <summary>The id of the request it answers, or null.</summary>
    public string? ParentId { get; }

    /// <summary>The content.</summary>
    public JsonElement Content { get; }

    /// <summary>A string of the content, or null.</summary>
    public string? String(string name) => JsonStrings.Member(Content, name);

    /// <summary>
    /// Parses a message received from the server; null when it is not one. Whatever the bytes, this returns or gives
    /// null: a field of the wrong JSON kind (a header that is no object, a type that is no string) makes no message.
    /// </summary>
    public static KernelMessage? Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("header", out var header) || header.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? parentId = null;
            if (root.TryGetProperty("parent_header", out var parent) && parent.ValueKind == JsonValueKind.Object)
            {
                parentId = StringOf(parent, "msg_id");
            }

            var content = root.TryGetProperty("content", out var c) ? c.Clone() : default;
            return new KernelMessage(StringOf(root, "channel") ?? string.Empty, StringOf(header, "msg_type") ?? string.Empty,
                StringOf(header, "msg_id") ?? string.Empty, parentId, content);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A string member of an object, or null when it is missing, not a string or not valid UTF-8 (GetString would throw).
    private static string? StringOf(JsonElement element, string name) => JsonStrings.Member(element, name);

    /// <summary>Writes a request: a fresh header in <paramref name="session"/>, no parent, and the content.</summary>
    public static byte[] Request(string channel, string type, string id, string session, Action<Utf8JsonWriter> content)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("header");
            writer.WriteString("msg_id", id);
            writer.WriteString("username", "sandboxes");
            writer.WriteString("session", session);
            writer.WriteString("date", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("msg_type", type);
            writer.WriteString("version", "5.3");
            writer.WriteEndObject();
            writer.WriteStartObject("parent_header");
            writer.WriteEndObject();
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            writer.WritePropertyName("content");
            writer.WriteStartObject();
            content(writer);
            writer.WriteEndObject();
            writer.WriteString("channel", channel);
            writer.WriteStartArray("buffers");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
