using System.Text.Json;

namespace Sandboxes.Http;

/// <summary>What a vendor's error body says, as far as it can be read: its error code and message.</summary>
/// <param name="Code">The vendor's error code (<c>code</c>, <c>errorCode</c>, <c>error_code</c> or <c>error.code</c>), or null.</param>
/// <param name="Message">The vendor's message (<c>message</c>, <c>error</c>, <c>detail</c>, <c>title</c> or <c>error.message</c>), or null.</param>
public sealed record ApiErrorBody(string? Code, string? Message)
{
    /// <summary>Reads a JSON error body; a body that is not a JSON object gives its first line as the message.</summary>
    public static ApiErrorBody Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return new(null, null);
        }

        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return FromObject(document.RootElement);
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the text form.
            }
        }

        var line = trimmed.Split('\n', 2)[0].Trim();
        return new(null, line.Length > 500 ? line[..500] : line);
    }

    private static ApiErrorBody FromObject(JsonElement root)
    {
        var code = Text(root, "code") ?? Text(root, "errorCode") ?? Text(root, "error_code");
        var message = Text(root, "message") ?? Text(root, "error") ?? Text(root, "detail") ?? Text(root, "title") ?? Text(root, "msg");
        if (root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            code ??= Text(nested, "code") ?? Text(nested, "type");
            message ??= Text(nested, "message");
        }

        // Validation problems (RFC 7807 extensions such as Prism's "validation", or "errors") say what exactly was wrong.
        var details = Details(root, "validation").Concat(Details(root, "errors")).Take(3).ToList();
        if (details.Count > 0)
        {
            message = (message is null ? string.Empty : message + " ") + "[" + string.Join("; ", details) + "]";
        }

        return new(code, message);
    }

    private static IEnumerable<string> Details(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in list.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : Text(item, "message") ?? Text(item, "msg") ?? Text(item, "detail");
            if (!string.IsNullOrEmpty(text))
            {
                yield return text;
            }
        }
    }

    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
