using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.E2B;

/// <summary>
/// E2B as the adapter sees it, on 127.0.0.1: the control-plane routes of <c>openapi.yml</c> the adapter uses
/// (<c>X-API-Key</c> enforced, errors in E2B's <c>{code, message}</c> shape), and each sandbox's envd (the
/// <c>/files</c> routes of <c>envd.yaml</c> and the process and filesystem services over Connect RPC, reached with the
/// sandbox's access token and named by the <c>E2b-Sandbox-Id</c> header, as through <c>E2B_SANDBOX_URL</c>). Sandboxes
/// run for real on the local provider. A sandbox that is paused or gone answers envd requests with 502, as E2B's proxy
/// does. Endpoint names are the operation names the faults target: <c>postSandboxes</c>, <c>getSandboxesBySandboxID</c>,
/// ..., <c>getFiles</c>, <c>postFiles</c> and the Connect procedures (<c>process.Process/Start</c>...).
/// </summary>
public sealed partial class E2BEmulator : VendorEmulator
{
    /// <summary>The envd version the emulated sandboxes report (the protos in specs/ are of this generation).</summary>
    public const string EnvdVersion = "0.6.4";

    private const string BaseTemplateId = "rki5dems9wqfm4r03t7g";
    private readonly ConcurrentDictionary<string, EmulatedSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EmulatedSnapshot> _snapshots = new(StringComparer.Ordinal);

    /// <summary>Creates the emulator; call <see cref="VendorEmulator.StartAsync"/>.</summary>
    public E2BEmulator(EmulatorOptions options)
        : base(options)
    {
    }

    /// <summary>The number of sandboxes the emulator runs (tests check that nothing leaks).</summary>
    public int SandboxCount => _sandboxes.Count;

    /// <inheritdoc />
    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        MapControlPlane(routes);
        MapFiles(routes);
        MapProcessService(routes);
        MapFilesystemService(routes);
    }

    /// <inheritdoc />
    protected override bool RequiresAuthentication(HttpContext context) => context.Request.Path != "/health";

    /// <inheritdoc />
    protected override bool IsAuthorized(HttpRequest request)
    {
        if (!IsEnvd(request))
        {
            return request.Headers["X-API-Key"] == Options.ApiKey;
        }

        // envd checks its own access token; a sandbox it does not know answers 502 from the handler.
        return FindSandbox(request) is not { } sandbox || request.Headers["X-Access-Token"] == sandbox.AccessToken;
    }

    /// <inheritdoc />
    protected override Task WriteUnauthorizedAsync(HttpResponse response)
    {
        var request = response.HttpContext.Request;
        if (IsConnect(request))
        {
            return ConnectServer.WriteUnaryErrorAsync(response, new ConnectRpcException("unauthenticated", "unauthorized access, please provide a valid access token"));
        }

        return IsEnvd(request)
            ? WriteJsonAsync(response, 401, new JsonObject { ["message"] = "unauthorized access, please provide a valid access token", ["code"] = 401 })
            : WriteJsonAsync(response, 401, ErrorBody(401, "Invalid API key, it must start with 'e2b_' prefix and be valid"));
    }

    /// <inheritdoc />
    protected override Task WriteErrorAsync(HttpResponse response, int status, string message)
    {
        var request = response.HttpContext.Request;
        if (IsConnect(request))
        {
            response.StatusCode = status;
            response.ContentType = "application/json";
            return response.WriteAsync(new JsonObject { ["code"] = ConnectRpcException.CodeFor(status), ["message"] = message }.ToJsonString());
        }

        return WriteJsonAsync(response, status, ErrorBody(status, message));
    }

    /// <summary>E2B's error body.</summary>
    private static JsonObject ErrorBody(int status, string message) => new() { ["code"] = status, ["message"] = message };

    private static async Task WriteJsonAsync(HttpResponse response, int status, JsonNode body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(body.ToJsonString());
    }

    private static bool IsConnect(HttpRequest request) =>
        request.Path.StartsWithSegments("/process.Process") || request.Path.StartsWithSegments("/filesystem.Filesystem");

    private static bool IsEnvd(HttpRequest request) => IsConnect(request) || request.Path.StartsWithSegments("/files");

    private EmulatedSandbox? FindSandbox(HttpRequest request) =>
        request.Headers["E2b-Sandbox-Id"].ToString() is { Length: > 0 } id && _sandboxes.TryGetValue(id, out var sandbox) ? sandbox : null;

    /// <summary>The running sandbox an envd request is for; null after answering 502 as E2B's proxy does.</summary>
    private async Task<EmulatedSandbox?> EnvdSandboxAsync(HttpContext context)
    {
        var id = context.Request.Headers["E2b-Sandbox-Id"].ToString();
        if (FindSandbox(context.Request) is { State: "running" } sandbox)
        {
            return sandbox;
        }

        await WriteJsonAsync(context.Response, 502, new JsonObject
        {
            ["sandboxId"] = id, ["message"] = "The sandbox was not found", ["code"] = 502,
        });
        return null;
    }

    /// <summary>The user an envd request runs as: the Basic authorization's user name, else the default user.</summary>
    /// <exception cref="ConnectRpcException">unauthenticated: the sandbox has no such user.</exception>
    private static async Task<string> UserAsync(EmulatedSandbox sandbox, string? name)
    {
        var user = string.IsNullOrEmpty(name) ? "user" : name;
        if (sandbox.Users is null)
        {
            var passwd = await sandbox.Local.ReadTextAsync("/etc/passwd");
            sandbox.Users = passwd.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        }

        return sandbox.Users.Contains(user) ? user : throw new ConnectRpcException("unauthenticated", $"invalid username: '{user}'");
    }

    /// <summary>The user name of a Basic authorization header, or null.</summary>
    private static string? BasicUser(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            throw new ConnectRpcException("unauthenticated", "malformed basic authorization");
        }
    }

    /// <summary>A user's home, where envd resolves relative paths and starts processes by default.</summary>
    private static string Home(string user) => user == "root" ? "/root" : "/home/" + user;

    /// <summary>envd's path rule: absolute as given, relative to the user's home, <c>~</c> expanded.</summary>
    private static string ResolvePath(string path, string user)
    {
        if (path.StartsWith('~'))
        {
            path = Home(user) + path[1..];
        }

        return path.StartsWith('/') ? path : Home(user) + "/" + path;
    }

    private static string RandomId(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    /// <summary>The Connect error for a failure of the local sandbox.</summary>
    private static ConnectRpcException Translate(SandboxException error) => error switch
    {
        NotFoundException => new ConnectRpcException("not_found", error.Message),
        InvalidSandboxPathException or BadConfigException => new ConnectRpcException("invalid_argument", error.Message),
        SandboxStateException => new ConnectRpcException("unavailable", error.Message),
        _ => new ConnectRpcException("internal", error.Message),
    };
}
