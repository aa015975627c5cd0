using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;
using Sandboxes.Remote;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// Commands come from the remote-process kit; what is E2B's is how a process starts (envd's process.Start stream, as the
/// user named in its header, in a login bash as E2B's SDKs run commands) and how envd's errors read.
/// </summary>
internal sealed partial class E2BProvider
{
    // envd sends a keepalive event when a stream has been silent this long (E2B's SDKs ask for 50 s).
    private static readonly KeyValuePair<string, string> KeepaliveHeader = new("Keepalive-Ping-Interval", "50");

    // envd is told a command's timeout plus this, so that it kills the command itself if this client is gone; the kit
    // kills the whole process tree at the timeout proper.
    private static readonly TimeSpan ServerBackstop = TimeSpan.FromSeconds(5);

    protected override string CommandShell => "/bin/bash -l";

    protected override Task ValidateCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Env);
        return Task.CompletedTask;
    }

    protected override async Task<RemoteProcess> LaunchAsync(string sandboxId, ProcessLaunch launch, CancellationToken cancellationToken)
    {
        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var user = launch.AsRoot ? "root" : launch.User ?? _options.User;
        var config = new ProcessConfig { Cmd = launch.Argv[0], Cwd = E2BPaths.Absolute(launch.Cwd ?? _options.Workdir, _options.Workdir) };
        config.Args.AddRange(launch.Argv.Skip(1));
        foreach (var (key, value) in launch.Env)
        {
            config.Envs[key] = value;
        }

        var start = new StartRequest { Process = config, Stdin = launch.Stdin };
        if (launch.HandleId is { } handle)
        {
            start.Tag = handle;
        }

        var options = new ConnectCallOptions
        {
            Headers = [EnvdConnection.UserHeader(user), KeepaliveHeader],
            ServerTimeout = launch.Deadline + ServerBackstop,
        };

        // The stream lives as long as the process is read, up to the adapter's disposal; the caller's token cancels only
        // the wait for the process to start.
        var stream = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var events = connection.StartAsync(start, options, stream.Token).GetAsyncEnumerator(stream.Token);
        try
        {
            using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stream))
            {
                var pid = await ReadStartAsync(sandboxId, user, events, cancellationToken).ConfigureAwait(false);
                return new EnvdProcess(connection, pid, events, stream, launch.Stdin, (error, token) => ExplainAsync(sandboxId, user, error, token));
            }
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the start event every process stream begins with; returns the pid.</summary>
    private async Task<int> ReadStartAsync(string sandboxId, string user, IAsyncEnumerator<ProcessEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                if (events.Current.EventCase == ProcessEvent.EventOneofCase.Start)
                {
                    return checked((int)events.Current.Start.Pid);
                }
            }
        }
        catch (SandboxException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw await ExplainAsync(sandboxId, user, error, cancellationToken).ConfigureAwait(false);
        }

        throw new ProviderException(ProviderId, "envd's stream ended before the process started.");
    }

    /// <summary>
    /// Refines an envd error: an unknown user is bad input (envd answers <c>unauthenticated</c>), a bad working directory
    /// or argument too; a sandbox that stopped answering is looked up to say whether it is gone or paused.
    /// </summary>
    private async Task<SandboxException> ExplainAsync(string sandboxId, string user, SandboxException error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case UnauthorizedException when error.Message.Contains("username", StringComparison.OrdinalIgnoreCase):
                return new BadConfigException(ProviderId, $"The sandbox has no user '{user}': {error.Message}", error);
            case ProviderException { StatusCode: 400 }:
                return new BadConfigException(ProviderId, error.Message, error);
            case ProviderException { StatusCode: 502 or null }:
                return await ExplainUnreachableAsync(sandboxId, error, cancellationToken).ConfigureAwait(false);
            default:
                return error;
        }
    }
}
