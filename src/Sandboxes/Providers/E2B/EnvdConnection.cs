using System.Runtime.CompilerServices;
using System.Text;
using Sandboxes.Http;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Filesystem;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// How the adapter reaches the envd of one sandbox: its HTTP API (files) through the client generated from
/// <c>envd.yaml</c>, and its process and filesystem services over Connect RPC. Every request carries envd's access token
/// (<c>X-Access-Token</c>, from the create or connect response) and names the sandbox in <c>E2b-Sandbox-Id</c> and
/// <c>E2b-Sandbox-Port</c>, as E2B's SDKs send them. Immutable; shared by every operation on the sandbox. The token is
/// registered with the <see cref="SecretScrubber"/> while the connection lives: disposing it releases the token.
/// </summary>
internal sealed class EnvdConnection : IDisposable
{
    private const string ProcessService = "process.Process/";
    private const string FilesystemService = "filesystem.Filesystem/";
    private readonly IDisposable _token;

    public EnvdConnection(string sandboxId, string envdVersion, string? accessToken, string? domain, E2BOptions options, HttpClient http)
    {
        SandboxId = sandboxId;
        EnvdVersion = envdVersion;
        Domain = string.IsNullOrWhiteSpace(domain) ? options.Domain : domain;
        var envdUrl = options.SandboxUrl ?? new Uri($"https://{E2BOptions.EnvdPort}-{sandboxId}.{Domain}");
        var routing = new Dictionary<string, string>
        {
            ["E2b-Sandbox-Id"] = sandboxId,
            ["E2b-Sandbox-Port"] = E2BOptions.EnvdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["User-Agent"] = E2BProvider.UserAgent,
        };
        // envd's AccessTokenAuth scheme: the token in X-Access-Token, on the HTTP API and the Connect services alike.
        var headers = new Dictionary<string, string>(routing);
        _token = SecretScrubber.RegisterScoped(accessToken);
        if (accessToken is not null)
        {
            headers["X-Access-Token"] = accessToken;
        }

        Files = ProviderClients.For<Envd.IEnvdApi>(http, envdUrl, E2BProvider.ProviderId, Envd.EnvdJsonContext.Default, options.RequestTimeout, headers);
        Rpc = new ConnectClient(http, options.SandboxRpcUrl ?? envdUrl, headers, E2BProvider.ProviderId);
    }

    /// <summary>The sandbox.</summary>
    public string SandboxId { get; }

    /// <summary>Releases the access token from the scrubber (a request still in flight keeps working).</summary>
    public void Dispose() => _token.Dispose();

    /// <summary>The version of envd in the sandbox, as the API reports it.</summary>
    public string EnvdVersion { get; }

    /// <summary>The domain the sandbox's hosts are under.</summary>
    public string Domain { get; }

    /// <summary>envd's HTTP API (file upload and download).</summary>
    public Envd.IEnvdApi Files { get; }

    /// <summary>envd's Connect RPC services.</summary>
    public ConnectClient Rpc { get; }

    /// <summary>The header naming the user a request runs as: HTTP basic authentication with the user name and no password.</summary>
    public static KeyValuePair<string, string> UserHeader(string user) =>
        new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":")));

    /// <summary>A selector for a process by pid.</summary>
    public static ProcessSelector ByPid(int pid) => new() { Pid = checked((uint)pid) };

    // ---- process.Process ----

    /// <summary>Starts a process and yields its events (start, data, keepalive, end).</summary>
    public async IAsyncEnumerable<ProcessEvent> StartAsync(StartRequest request, ConnectCallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var response in Rpc.StreamAsync(ProcessService + "Start", request, StartResponse.Parser, options, cancellationToken).ConfigureAwait(false))
        {
            yield return response.Event ?? throw MissingEvent("Start");
        }
    }

    /// <summary>Attaches to a running process; yields its start event, then what it produces from now on, then its end.</summary>
    public async IAsyncEnumerable<ProcessEvent> ConnectAsync(ProcessSelector selector, ConnectCallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ConnectRequest { Process = selector };
        await foreach (var response in Rpc.StreamAsync(ProcessService + "Connect", request, ConnectResponse.Parser, options, cancellationToken).ConfigureAwait(false))
        {
            yield return response.Event ?? throw MissingEvent("Connect");
        }
    }

    /// <summary>The processes envd started that are still running.</summary>
    public async Task<IReadOnlyList<Rpc.Process.ProcessInfo>> ListAsync(CancellationToken cancellationToken) =>
        (await Rpc.CallAsync(ProcessService + "List", new ListRequest(), ListResponse.Parser, null, cancellationToken).ConfigureAwait(false)).Processes;

    /// <summary>Writes to a process's stdin or terminal.</summary>
    public Task SendInputAsync(ProcessSelector selector, ProcessInput input, CancellationToken cancellationToken) =>
        Rpc.CallAsync(ProcessService + "SendInput", new SendInputRequest { Process = selector, Input = input }, SendInputResponse.Parser, null, cancellationToken);

    /// <summary>Closes a process's stdin (end of file).</summary>
    public Task CloseStdinAsync(ProcessSelector selector, CancellationToken cancellationToken) =>
        Rpc.CallAsync(ProcessService + "CloseStdin", new CloseStdinRequest { Process = selector }, CloseStdinResponse.Parser, null, cancellationToken);

    /// <summary>Sends SIGTERM or SIGKILL to one process (not to its children).</summary>
    public Task SendSignalAsync(ProcessSelector selector, Signal signal, CancellationToken cancellationToken) =>
        Rpc.CallAsync(ProcessService + "SendSignal", new SendSignalRequest { Process = selector, Signal = signal }, SendSignalResponse.Parser, null, cancellationToken);

    /// <summary>Resizes a process's terminal.</summary>
    public Task UpdateAsync(ProcessSelector selector, PTY pty, CancellationToken cancellationToken) =>
        Rpc.CallAsync(ProcessService + "Update", new UpdateRequest { Process = selector, Pty = pty }, UpdateResponse.Parser, null, cancellationToken);

    // ---- filesystem.Filesystem ----

    /// <summary>Describes a path (following symbolic links).</summary>
    public async Task<EntryInfo> StatAsync(string path, ConnectCallOptions options, CancellationToken cancellationToken) =>
        (await Rpc.CallAsync(FilesystemService + "Stat", new StatRequest { Path = path }, StatResponse.Parser, options, cancellationToken).ConfigureAwait(false)).Entry;

    /// <summary>Creates a directory and its parents; an existing one is the <c>already_exists</c> error.</summary>
    public Task MakeDirAsync(string path, ConnectCallOptions options, CancellationToken cancellationToken) =>
        Rpc.CallAsync(FilesystemService + "MakeDir", new MakeDirRequest { Path = path }, MakeDirResponse.Parser, options, cancellationToken);

    /// <summary>Lists a directory (one level).</summary>
    public async Task<IReadOnlyList<EntryInfo>> ListDirAsync(string path, ConnectCallOptions options, CancellationToken cancellationToken) =>
        (await Rpc.CallAsync(FilesystemService + "ListDir", new ListDirRequest { Path = path, Depth = 1 }, ListDirResponse.Parser, options, cancellationToken)
            .ConfigureAwait(false)).Entries;

    /// <summary>Removes a file or a directory tree; a missing path is not an error.</summary>
    public Task RemoveAsync(string path, ConnectCallOptions options, CancellationToken cancellationToken) =>
        Rpc.CallAsync(FilesystemService + "Remove", new RemoveRequest { Path = path }, RemoveResponse.Parser, options, cancellationToken);

    /// <summary>
    /// Reads a process stream past its end event to the end-of-stream message. A response left unread is aborted,
    /// which closes its connection; read to its end, the connection goes back to the pool for the next call.
    /// </summary>
    public static async Task FinishAsync(IAsyncEnumerator<ProcessEvent> events)
    {
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
            }
        }
        catch (SandboxException)
        {
            // The process's end is known; what follows it cannot change the outcome.
        }
    }

    private static ProviderException MissingEvent(string procedure) =>
        new(E2BProvider.ProviderId, $"envd's {procedure} stream sent a message without an event.");
}
