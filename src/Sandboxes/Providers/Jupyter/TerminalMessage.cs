using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// One message of the server's terminal WebSocket: a JSON array whose first item names it (<c>["stdout", text]</c>,
/// <c>["disconnect", ...]</c>, <c>["setup", {}]</c>). Anything else (not JSON, not an array, a name or text that is no
/// string) is no message, and is ignored rather than allowed to end the session with an exception.
/// </summary>
/// <param name="Kind">The first item.</param>
/// <param name="Text">The second item when it is a string, else null.</param>
internal sealed record TerminalMessage(string Kind, string? Text)
{
    /// <summary>The message in <paramref name="utf8"/>, or null when it is not one.</summary>
    public static TerminalMessage? Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || JsonStrings.Of(root[0]) is not { } kind)
            {
                return null;
            }

            return new TerminalMessage(kind, root.GetArrayLength() > 1 ? JsonStrings.Of(root[1]) : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
