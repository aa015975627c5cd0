using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sandboxes.Providers.Daytona;

namespace Sandboxes.Benchmarks;

/// <summary>
/// The baseline of the daytona benchmark: the very HTTP call the adapter makes to run a command (one
/// <c>POST /process/execute</c> through the toolbox proxy, same headers, the same wrapper script), done with a bare
/// <see cref="HttpClient"/>: the body is built once, the answer's JSON read, the exit code checked and the result returned.
/// </summary>
internal sealed class RawToolboxCall
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _url;
    private readonly byte[] _body;
    private readonly string _authorization;

    private RawToolboxCall(Uri url, byte[] body, string apiKey)
    {
        _url = url;
        _body = body;
        _authorization = "Bearer " + apiKey;
    }

    /// <summary>The raw call for a sandbox: its toolbox proxy URL read from the control plane, as any client would.</summary>
    public static async Task<RawToolboxCall> ForAsync(EmulatorProcess emulator, string sandboxId, string command)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer " + emulator.ApiKey);
        var proxy = await http.GetFromJsonAsync<JsonObject>($"sandbox/{sandboxId}/toolbox-proxy-url");
        var url = new Uri($"{proxy!["url"]!.GetValue<string>().TrimEnd('/')}/{sandboxId}/process/execute");
        // The same script the adapter sends (it differs only by the nonce of its control lines).
        var script = CommandScript.Build("0123456789abcdef", new RunCommandRequest(command));
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["command"] = script, ["timeout"] = 0 });
        return new RawToolboxCall(url, body, emulator.ApiKey);
    }

    /// <summary>Runs the command; returns the toolbox's result text.</summary>
    public async Task<string> RunAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        request.Headers.TryAddWithoutValidation("X-Daytona-Source", "sandboxes-dotnet");
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        var exit = answer.RootElement.GetProperty("exitCode").GetInt32();
        var result = answer.RootElement.GetProperty("result").GetString() ?? string.Empty;
        return exit == 0 ? result : throw new InvalidOperationException($"The command failed ({exit}): {Encoding.UTF8.GetByteCount(result)} bytes of output.");
    }
}
