using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Commands come from the remote-process kit; what is Docker's is how a process starts (an exec with the container's user,
/// directory and environment) and the checks the engine would make only once the exec starts, each engine in its own words.
/// </summary>
internal sealed partial class DockerProvider
{
    protected override async Task<RemoteProcess> LaunchAsync(string sandboxId, ProcessLaunch launch, CancellationToken cancellationToken)
    {
        var spec = new ExecSpec
        {
            Cmd = launch.Argv,
            Env = launch.Env.Select(p => EnvPair(p.Key, p.Value)).ToList(),
            User = launch.AsRoot ? "0" : string.IsNullOrEmpty(launch.User) ? null : launch.User,
            WorkingDir = string.IsNullOrEmpty(launch.Cwd) ? null : DockerPath.Normalize(launch.Cwd),
            Stdin = launch.Stdin,
        };
        var (execId, connection) = await StartExecAsync(sandboxId, spec, cancellationToken).ConfigureAwait(false);
        return new DockerExecProcess(connection, token => WaitForExitAsync(execId, token));
    }

    protected override async Task ValidateCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            EnvPair(key, value);
        }

        var user = request.User;
        if (!string.IsNullOrEmpty(user) && !PasswdFile.IsNumeric(user))
        {
            // The engine would refuse an unknown user only when the exec starts, and each engine words it differently.
            if ((await PasswdAsync(sandboxId, refresh: false, cancellationToken).ConfigureAwait(false)).Find(user) is null
                && (await PasswdAsync(sandboxId, refresh: true, cancellationToken).ConfigureAwait(false)).Find(user) is null)
            {
                throw new BadConfigException(ProviderId, $"Sandbox {DockerErrors.Short(sandboxId)} has no user '{user}' (it is not in /etc/passwd).");
            }
        }

        if (!string.IsNullOrEmpty(request.Cwd))
        {
            var stat = await _engine.StatAsync(sandboxId, DockerPath.Normalize(request.Cwd), cancellationToken).ConfigureAwait(false);
            if (stat is null)
            {
                throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{request.Cwd}' does not exist in the sandbox.");
            }

            if (!stat.IsDir && !stat.IsSymlink)
            {
                throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{request.Cwd}' is not a directory in the sandbox.");
            }
        }
    }
}
