using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Benchmarks;

/// <summary>
/// The baseline of the e2b benchmark: the very HTTP call the adapter makes to run a command (one process.Start on
/// envd, same headers, same message), done with a bare <see cref="HttpClient"/>: the request is built once, the
/// response's frames are parsed with the generated messages, stdout collected, the exit code read.
/// </summary>
internal sealed class RawEnvdCall
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _url;
    private readonly byte[] _body;
    private readonly (string Name, string Value)[] _headers;

    public RawEnvdCall(Uri envd, string sandboxId, string accessToken, string command)
    {
        _url = new Uri(envd, "process.Process/Start");
        var config = new ProcessConfig { Cmd = "/bin/bash", Cwd = "/workspace" };
        config.Args.Add("-l");
        config.Args.Add("-c");
        config.Args.Add(command);
        var payload = new StartRequest { Process = config, Stdin = false }.ToByteArray();
        _body = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(_body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(_body, 5);
        _headers =
        [
            ("Connect-Protocol-Version", "1"), ("E2b-Sandbox-Id", sandboxId), ("E2b-Sandbox-Port", "49983"), ("User-Agent", "sandboxes-dotnet"),
            ("X-Access-Token", accessToken), ("Authorization", "Basic " + Convert.ToBase64String("user:"u8.ToArray())), ("Keepalive-Ping-Interval", "50"),
        ];
    }

    /// <summary>Runs the command; returns its stdout.</summary>
    public async Task<string> RunAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+proto");
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        var stdout = new StringBuilder();
        var exit = -1;
        for (var offset = 0; offset + 5 <= body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1, 4));
            if (body[offset] == 0)
            {
                var e = StartResponse.Parser.ParseFrom(body.AsSpan(offset + 5, length)).Event;
                if (e.EventCase == ProcessEvent.EventOneofCase.Data)
                {
                    stdout.Append(e.Data.Stdout.ToStringUtf8());
                }
                else if (e.EventCase == ProcessEvent.EventOneofCase.End)
                {
                    exit = e.End.ExitCode;
                }
            }

            offset += 5 + length;
        }

        return exit == 0 ? stdout.ToString() : throw new InvalidOperationException($"The command failed ({exit}).");
    }
}
