using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sandboxes.CodeExecution;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// A Jupyter server this process started: on 127.0.0.1, a free port and a random token, jailed with bubblewrap when it
/// can be. It cannot outlive this process: it runs under a small shell watchdog that holds the read end of a pipe whose
/// write end only this process has; when this process ends, however it ends, the pipe closes and the watchdog kills the
/// server (and, jailed, every kernel with it).
/// </summary>
internal sealed class JupyterServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private const string Watchdog = """
        "$@" </dev/null >>"$SBX_JUPYTER_LOG" 2>&1 &
        child=$!
        tree() { for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo "$c"; tree "$c"; done; }
        # The parent keeps this stdin open; end of file means it is gone, whatever way it went.
        while read -r _; do :; done
        # Kernels' commands run in sessions of their own and would outlive the kernels: note them before they are orphaned.
        descendants=$(tree "$child")
        kill -TERM "$child" 2>/dev/null
        i=0
        while kill -0 "$child" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$child" $descendants 2>/dev/null
        wait "$child" 2>/dev/null
        """;

    private readonly Process _watchdog;
    private readonly string _stateDir;

    private JupyterServerProcess(Process watchdog, string stateDir, JupyterEndpoint endpoint, string rootDir, string workspace, bool jailed)
    {
        _watchdog = watchdog;
        _stateDir = stateDir;
        Endpoint = endpoint;
        RootDir = rootDir;
        Workspace = workspace;
        Jailed = jailed;
    }

    /// <summary>Where it answers, with its token.</summary>
    public JupyterEndpoint Endpoint { get; }

    /// <summary>The server's root directory, as kernels see it (<c>/</c> when jailed).</summary>
    public string RootDir { get; }

    /// <summary>The working directory of kernels (<c>/workspace</c> when jailed).</summary>
    public string Workspace { get; }

    /// <summary>True when the server runs in a bubblewrap jail.</summary>
    public bool Jailed { get; }

    /// <summary>Starts a server and returns once it answers.</summary>
    /// <exception cref="BadConfigException">jupyter-server is not installed, or namespaces were required and are unavailable.</exception>
    public static async Task<JupyterServerProcess> StartAsync(JupyterOptions options, CancellationToken cancellationToken)
    {
        string? bubblewrap = null;
        if (options.Isolation != IsolationMode.Process)
        {
            bubblewrap = BubblewrapProbe.Find(options.BubblewrapPath, out var reason);
            if (bubblewrap is null && options.Isolation == IsolationMode.Namespaces)
            {
                throw new BadConfigException(JupyterProvider.ProviderId, $"Namespace isolation was requested, but {reason}.");
            }
        }

        var server = Requires(options.ServerCommand, jailed: bubblewrap is not null);

        var identity = IdentityMap.ForThisProcess(JupyterProvider.ProviderId, null);
        var stateDir = Directory.CreateTempSubdirectory("sandboxes-jupyter-").FullName;
        LibC.Chmod(stateDir, 0x1C0);
        if (bubblewrap is not null && identity.Mapped)
        {
            // The jail's unprivileged root binds its workspace from here: it may pass, nobody else may.
            LibC.Chown(stateDir, 0, identity.HostGid);
            LibC.Chmod(stateDir, 0x1C8);
        }

        var hostWorkspace = Path.Combine(stateDir, "workspace");
        Directory.CreateDirectory(hostWorkspace);
        LibC.Chmod(hostWorkspace, 0x3FF);
        if (bubblewrap is not null && identity.RootOwner is { } owner)
        {
            LibC.Chown(hostWorkspace, owner.Uid, owner.Gid);
        }
        var token = Nonce.New() + Nonce.New();
        var port = FreePort();
        var rootDir = bubblewrap is null ? hostWorkspace : "/";
        var workspace = bubblewrap is null ? hostWorkspace : JupyterJail.Workspace;

        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = hostWorkspace,
        };
        // The token travels in the environment, which other users cannot read, never on a command line.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["HOME"] = bubblewrap is null ? stateDir : "/root";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["JUPYTER_TOKEN"] = token;
        start.Environment["JUPYTER_CONFIG_DIR"] = bubblewrap is null ? Path.Combine(stateDir, "config") : "/root/.jupyter";
        start.Environment["JUPYTER_RUNTIME_DIR"] = bubblewrap is null ? Path.Combine(stateDir, "runtime") : "/root/.local/share/jupyter/runtime";
        start.Environment["SBX_JUPYTER_LOG"] = Path.Combine(stateDir, "server.log");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Watchdog);
        start.ArgumentList.Add("jupyter-watchdog");
        string[] serverCommand =
        [
            server, "--ServerApp.ip=127.0.0.1", "--ServerApp.port=" + port.ToString(CultureInfo.InvariantCulture),
            "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--ServerApp.root_dir=" + rootDir,
            "--ServerApp.allow_root=True", "--ContentsManager.allow_hidden=True", "--ServerApp.log_level=WARN",
        ];
        using var jail = bubblewrap is null ? null : Jail(bubblewrap, identity, stateDir, hostWorkspace, start.Environment, serverCommand);
        foreach (var argument in jail?.Command ?? serverCommand)
        {
            start.ArgumentList.Add(argument);
        }

        var watchdog = Process.Start(start) ?? throw new ProviderException(JupyterProvider.ProviderId, "Could not start the Jupyter server.");
        try
        {
            jail?.Complete(() => watchdog.HasExited, TimeSpan.FromSeconds(15));
        }
        catch
        {
            watchdog.StandardInput.Close();
            watchdog.Dispose();
            throw;
        }

        var endpoint = new JupyterEndpoint(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), token);
        var process = new JupyterServerProcess(watchdog, stateDir, endpoint, rootDir, workspace, bubblewrap is not null);
        try
        {
            await process.WaitUntilAnsweringAsync(cancellationToken).ConfigureAwait(false);
            return process;
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The jail the server runs in (see JailLaunch): the server's environment is the jail's, the workspace its only
    // writable host directory, and the host's network its own, so that it listens on the host's 127.0.0.1.
    private static JailLaunch Jail(string bubblewrap, IdentityMap identity, string stateDir, string hostWorkspace,
        IDictionary<string, string?> environment, IReadOnlyList<string> serverCommand)
    {
        var etcDir = Path.Combine(stateDir, "etc");
        SandboxEtc.Write(etcDir, "jupyter", NetworkPolicy.All);
        var spec = new JailSpec
        {
            Bubblewrap = bubblewrap,
            Identity = identity,
            Hostname = "jupyter",
            ShareNetwork = true,
            EtcView = EtcView.Ensure(stateDir),
            EtcFiles = EtcView.PerSandboxFiles.ToDictionary(f => f, f => Path.Combine(etcDir, f)),
            WritableDirectories = [(hostWorkspace, JupyterJail.Workspace)],
            WorkingDirectory = JupyterJail.Workspace,
            Environment = environment.Where(e => e.Value is not null && e.Key != "SBX_JUPYTER_LOG").ToDictionary(e => e.Key, e => e.Value!),
            // When the watchdog kills bubblewrap, everything inside goes too.
            DieWithParent = true,
        };
        return JailLaunch.Prepare(JupyterProvider.ProviderId, spec, Path.Combine(stateDir, "jail"), serverCommand);
    }

    /// <summary>Stops the server and every kernel, and removes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _watchdog.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _watchdog.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _watchdog.Kill(entireProcessTree: true);
        }

        _watchdog.Dispose();
        // The workspace holds what the server's kernels put there, links to host files included: nothing is followed.
        ConfinedDirectory.RemoveHostTree(JupyterProvider.ProviderId, _stateDir);
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_watchdog.HasExited)
            {
                break;
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint.BaseUri, "api/status"));
                Endpoint.Authorize(request);
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new ProviderException(JupyterProvider.ProviderId, "The Jupyter server did not start: " + Log());
    }

    private string Log()
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(_stateDir, "server.log")).Trim();
            return text.Length == 0 ? "it wrote nothing." : text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            return "it wrote no log.";
        }
    }

    private static string Requires(string command, bool jailed)
    {
        // In the jail only /usr is there: a server installed elsewhere (a virtual environment) must run as a process.
        var found = jailed
            ? new[] { "/usr/bin/", "/usr/local/bin/" }.Select(d => Path.IsPathRooted(command) ? command : d + command)
                .FirstOrDefault(p => p.StartsWith("/usr/", StringComparison.Ordinal) && File.Exists(p))
            : Path.IsPathRooted(command) ? (File.Exists(command) ? command : null) : BubblewrapProbe.Locate(command);
        return found ?? throw new BadConfigException(JupyterProvider.ProviderId, jailed
            ? $"'{command}' was not found under /usr, the only programs a jailed server sees: install jupyter-server and python3-ipykernel (apt-get install jupyter-server python3-ipykernel), set isolation=process, or give JUPYTER_URL."
            : $"'{command}' was not found: install jupyter-server and python3-ipykernel (apt-get install jupyter-server python3-ipykernel), or give JUPYTER_URL.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
