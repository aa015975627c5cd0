using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Sandboxes.Emulators.E2B;

/// <summary>
/// The server half of the Connect protocol, as envd speaks it: unary calls with <c>application/proto</c> or
/// <c>application/json</c>, server-streaming calls with one enveloped request and enveloped responses ending in the
/// end-of-stream JSON. Requests are parsed strictly with the messages generated from envd's protos: a field the proto does
/// not define, a malformed message or envelope, a wrong media type or a missing protocol version is refused with
/// <c>invalid_argument</c>, so an adapter that drifts from the protos fails its tests.
/// </summary>
internal static class ConnectServer
{
    private const int MaxRequestLength = 32 * 1024 * 1024;

    /// <summary>Reads and validates a unary request; returns the message and whether the JSON codec was used.</summary>
    public static async Task<(T Message, bool Json)> ReadUnaryAsync<T>(HttpRequest request, MessageParser<T> parser)
        where T : IMessage<T>, new()
    {
        RequireProtocolVersion(request);
        var json = MediaType(request) switch
        {
            "application/proto" => false,
            "application/json" => true,
            var other => throw new ConnectRpcException("invalid_argument", $"unary calls take application/proto or application/json, not '{other}'"),
        };
        var body = await ReadBodyAsync(request);
        return (Parse(body, parser, json), json);
    }

    /// <summary>Reads and validates the single enveloped request of a server-streaming call.</summary>
    public static async Task<(T Message, bool Json)> ReadStreamRequestAsync<T>(HttpRequest request, MessageParser<T> parser)
        where T : IMessage<T>, new()
    {
        var json = MediaType(request) switch
        {
            "application/connect+proto" => false,
            "application/connect+json" => true,
            var other => throw new ConnectRpcException("invalid_argument", $"streaming calls take application/connect+proto or +json, not '{other}'"),
        };
        var body = await ReadBodyAsync(request);
        if (body.Length < 5)
        {
            throw new ConnectRpcException("invalid_argument", "the request holds no complete envelope");
        }

        var flags = body[0];
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        if (flags != 0)
        {
            throw new ConnectRpcException("invalid_argument", $"the request envelope has flags {flags}; an uncompressed message has 0");
        }

        if (length != body.Length - 5)
        {
            throw new ConnectRpcException("invalid_argument", $"the envelope says {length} bytes but {body.Length - 5} follow; a server-streaming call sends one message");
        }

        return (Parse(body.AsSpan(5), parser, json), json);
    }

    /// <summary>Writes a unary response.</summary>
    public static async Task WriteUnaryAsync(HttpResponse response, IMessage message, bool json)
    {
        response.StatusCode = 200;
        response.ContentType = json ? "application/json" : "application/proto";
        var bytes = json ? Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message)) : message.ToByteArray();
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>Writes a unary error: the code's HTTP status and the Connect error JSON.</summary>
    public static async Task WriteUnaryErrorAsync(HttpResponse response, ConnectRpcException error)
    {
        response.StatusCode = error.HttpStatus;
        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = error.Code, ["message"] = error.Message }));
    }

    /// <summary>The end-of-stream JSON: an error, or no error and no trailers.</summary>
    public static byte[] EndStreamJson(ConnectRpcException? error) => error is null
        ? "{}"u8.ToArray()
        : JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, Dictionary<string, string>>
        {
            ["error"] = new() { ["code"] = error.Code, ["message"] = error.Message },
        });

    private static T Parse<T>(ReadOnlySpan<byte> bytes, MessageParser<T> parser, bool json)
        where T : IMessage<T>, new()
    {
        try
        {
            if (json)
            {
                // The default settings refuse fields the proto does not define.
                return JsonParser.Default.Parse<T>(Encoding.UTF8.GetString(bytes));
            }

            // Unknown fields are dropped while parsing: a message that re-serialises shorter had some.
            var message = parser.WithDiscardUnknownFields(true).ParseFrom(bytes);
            if (message.CalculateSize() != bytes.Length)
            {
                throw new ConnectRpcException("invalid_argument",
                    $"the {typeof(T).Name} has fields its proto does not define ({bytes.Length} bytes received, {message.CalculateSize()} understood)");
            }

            return message;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ConnectRpcException("invalid_argument", $"the request is not a valid {typeof(T).Name}: {e.Message}");
        }
        catch (InvalidJsonException e)
        {
            throw new ConnectRpcException("invalid_argument", $"the request is not a valid {typeof(T).Name}: {e.Message}");
        }
    }

    private static void RequireProtocolVersion(HttpRequest request)
    {
        if (request.Headers["Connect-Protocol-Version"] != "1")
        {
            throw new ConnectRpcException("invalid_argument", "missing required header: set Connect-Protocol-Version to \"1\"");
        }
    }

    private static string MediaType(HttpRequest request) =>
        (request.ContentType ?? string.Empty).Split(';', 2)[0].Trim().ToLowerInvariant();

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.Length > MaxRequestLength
            ? throw new ConnectRpcException("resource_exhausted", "the request is too large")
            : buffer.ToArray();
    }
}
