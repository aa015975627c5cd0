using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// The messages of the toolbox's PTY WebSocket, which no OpenAPI describes, as Daytona's SDKs document and handle them
/// (<c>PtyHandle.ts</c>, <c>pty_handle.py</c>): the client sends input as binary frames; the server sends output as
/// binary frames and control messages as JSON text, <c>{"type":"control","status":"connected"}</c>,
/// <c>{"type":"control","status":"exited","exitCode":N,"exitReason":"..."}</c> (to clients that offered
/// <see cref="ExitControlSubprotocol"/>) and <c>{"type":"control","status":"error","error":"..."}</c>; the close frame's
/// reason is <c>{"exitCode":N,"exitReason":"..."}</c>, with close status 1000 for exit 0 and 1011 otherwise.
/// The emulator builds its messages here and checks every frame in both directions against these shapes.
/// </summary>
public static class DaytonaPtyProtocol
{
    /// <summary>The subprotocol with which a client asks for the <c>exited</c> control message.</summary>
    public const string ExitControlSubprotocol = "X-Daytona-Pty-Exit-Control";

    /// <summary>The control message sent once a client is attached.</summary>
    public static string Connected() => new JsonObject { ["type"] = "control", ["status"] = "connected" }.ToJsonString();

    /// <summary>The control message sent when the program has exited.</summary>
    public static string Exited(int exitCode)
    {
        var message = new JsonObject { ["type"] = "control", ["status"] = "exited", ["exitCode"] = exitCode };
        if (ExitReason(exitCode) is { } reason)
        {
            message["exitReason"] = reason;
        }

        return message.ToJsonString();
    }

    /// <summary>The control message for a connection that cannot be served.</summary>
    public static string Error(string error) => new JsonObject { ["type"] = "control", ["status"] = "error", ["error"] = error }.ToJsonString();

    /// <summary>The close status for an exit code.</summary>
    public static WebSocketCloseStatus CloseStatus(int exitCode) =>
        exitCode == 0 ? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.InternalServerError;

    /// <summary>The close reason for an exit code.</summary>
    public static string CloseReason(int exitCode)
    {
        var reason = new JsonObject { ["exitCode"] = exitCode };
        if (ExitReason(exitCode) is { } text)
        {
            reason["exitReason"] = text;
        }

        return reason.ToJsonString();
    }

    /// <summary>The daemon's human-readable reason for a non-zero exit.</summary>
    public static string? ExitReason(int exitCode) => exitCode switch
    {
        0 => null,
        130 => "Ctrl+C",
        137 => "SIGKILL",
        143 => "SIGTERM",
        > 128 => $"signal {exitCode - 128}",
        _ => "non-zero exit",
    };

    /// <summary>The problem with a frame a client sent, or null when it is valid input.</summary>
    public static string? CheckClientFrame(WebSocketMessageType type, ReadOnlySpan<byte> frame)
    {
        if (type != WebSocketMessageType.Binary)
        {
            return $"the client sent a {type} frame; Daytona's SDKs send terminal input as binary frames";
        }

        return frame.Length == 0 ? "the client sent an empty input frame" : null;
    }

    /// <summary>The problem with a text frame the server sends, or null when it is one of the documented control messages.</summary>
    public static string? CheckServerControl(string text)
    {
        try
        {
            var root = JsonNode.Parse(text) as JsonObject;
            if (root is null || (string?)root["type"] != "control")
            {
                return "a text frame that is not a control message";
            }

            var keys = root.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            return (string?)root["status"] switch
            {
                "connected" when keys.SetEquals(["type", "status"]) => null,
                "exited" when root["exitCode"] is JsonValue code && code.TryGetValue<int>(out _) &&
                              keys.IsSubsetOf(["type", "status", "exitCode", "exitReason"]) => null,
                "error" when root["error"] is JsonValue && keys.SetEquals(["type", "status", "error"]) => null,
                var status => $"an undocumented control message (status {status ?? "missing"}): {text}",
            };
        }
        catch (JsonException)
        {
            return "a text frame that is not JSON";
        }
    }

    /// <summary>The problem with a close reason the server sends, or null when it is the documented exit JSON.</summary>
    public static string? CheckCloseReason(string reason)
    {
        try
        {
            var root = JsonNode.Parse(Encoding.UTF8.GetBytes(reason)) as JsonObject;
            return root?["exitCode"] is JsonValue code && code.TryGetValue<int>(out _) &&
                   root.Select(p => p.Key).All(k => k is "exitCode" or "exitReason")
                ? null
                : $"a close reason that is not the exit JSON: {reason}";
        }
        catch (JsonException)
        {
            return $"a close reason that is not JSON: {reason}";
        }
    }
}
