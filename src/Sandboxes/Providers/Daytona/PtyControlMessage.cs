using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// A control message of a Daytona PTY WebSocket (<c>{"type":"control","status":"connected"}</c>, <c>"exited"</c> with
/// <c>exitCode</c>, <c>"error"</c> with <c>error</c>), told apart from terminal output sent as text. Any bytes parse
/// to a message or to null: a field of the wrong JSON kind makes no message rather than an exception in the pump.
/// </summary>
/// <param name="Status">The <c>status</c> member, or null when it is missing or no string.</param>
/// <param name="ExitCode">The <c>exitCode</c> member when it is an integer.</param>
/// <param name="Error">The <c>error</c> member when it is a string.</param>
internal sealed record PtyControlMessage(string? Status, int? ExitCode, string? Error)
{
    /// <summary>The longest text frame read as a possible control message; longer text is terminal output.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>The control message in <paramref name="frame"/>, or null when the frame is terminal output.</summary>
    public static PtyControlMessage? Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > MaxLength)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(frame);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || StringOf(root, "type") != "control")
            {
                return null;
            }

            return new PtyControlMessage(StringOf(root, "status"), ExitCodeOf(root), StringOf(root, "error"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The exit code a close frame's reason carries as JSON (<c>{"exitCode":N}</c>), or null.</summary>
    public static int? ExitCodeOfCloseReason(string? reason)
    {
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxLength)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(reason));
            return document.RootElement.ValueKind == JsonValueKind.Object ? ExitCodeOf(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null; // a plain reason
        }
    }

    private static int? ExitCodeOf(JsonElement root) =>
        root.TryGetProperty("exitCode", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var c) ? c : null;

    private static string? StringOf(JsonElement root, string name) => JsonStrings.Member(root, name);
}
