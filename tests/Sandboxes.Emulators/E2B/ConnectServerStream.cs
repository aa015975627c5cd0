using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Sandboxes.Emulators.E2B;

/// <summary>
/// The response of a server-streaming Connect call: HTTP 200 with <c>application/connect+proto</c> (or +json), then one
/// envelope per message, flushed as it is written, then the end-of-stream envelope (flag 0x02) with the error, if any.
/// </summary>
internal sealed class ConnectServerStream
{
    private readonly HttpResponse _response;
    private readonly bool _json;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _started;

    public ConnectServerStream(HttpResponse response, bool json)
    {
        _response = response;
        _json = json;
    }

    /// <summary>Writes one message.</summary>
    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        var payload = _json ? Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message)) : message.ToByteArray();
        await WriteEnvelopeAsync(0, payload, cancellationToken);
    }

    /// <summary>Ends the stream, with an error or without.</summary>
    public Task EndAsync(ConnectRpcException? error, CancellationToken cancellationToken) =>
        WriteEnvelopeAsync(2, ConnectServer.EndStreamJson(error), cancellationToken);

    private async Task WriteEnvelopeAsync(byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_started)
            {
                _started = true;
                _response.StatusCode = 200;
                _response.ContentType = _json ? "application/connect+json" : "application/connect+proto";
            }

            var prefix = new byte[5];
            prefix[0] = flags;
            BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)payload.Length);
            await _response.Body.WriteAsync(prefix, cancellationToken);
            await _response.Body.WriteAsync(payload, cancellationToken);
            await _response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
