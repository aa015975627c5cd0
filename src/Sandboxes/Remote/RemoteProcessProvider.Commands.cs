using System.Runtime.CompilerServices;
using System.Text;
using Sandboxes.Providers;

namespace Sandboxes.Remote;

/// <summary>Foreground commands: one process under the run script, its output as it comes, its tree killed at the timeout.</summary>
internal abstract partial class RemoteProcessProvider
{
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var run = await StartRunAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            while (await run.NextAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                if (e.Kind == CommandEventKind.Exit)
                {
                    return new CommandResult
                    {
                        Stdout = run.Stdout.ToString(), Stderr = run.Stderr.ToString(), ExitCode = e.ExitCode ?? -1,
                        Duration = DateTimeOffset.UtcNow - run.Started, Error = e.Error, OutOfMemory = run.OutOfMemory,
                    };
                }
            }
        }

        throw new ProviderException(Name, "The command's output ended without an exit status.");
    }

    public override async IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = await StartRunAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            while (await run.NextAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                yield return e;
            }
        }
    }

    private async Task<CommandRun> StartRunAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        await ValidateCommandAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        var nonce = NewNonce();
        var marker = "\u001esandboxes-oom-" + nonce + "\u001e";
        var timeout = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var launch = new ProcessLaunch
        {
            Argv = ["/bin/sh", "-c", KitScripts.Run, "sandboxes-run", marker, request.Cmd, request.Stdin is null ? "0" : "1", CommandShell],
            Env = WithKitVariables(request.Env, (KitScripts.ExecVariable, nonce), (KitScripts.HelperVariable, "1")),
            User = request.User,
            Cwd = request.Cwd,
            Stdin = request.Stdin is not null,
            Deadline = timeout,
        };
        var process = await LaunchAsync(sandboxId, launch, cancellationToken).ConfigureAwait(false);
        return new CommandRun(Name, process, request.Stdin, timeout, Encoding.UTF8.GetBytes(marker),
            signal => KillTreeAsync(sandboxId, nonce, signal),
            (exitCode, oom, token) => DescribeExitAsync(sandboxId, exitCode, oom, token));
    }

    /// <summary>The user's variables with the kit's added (a user's variable of the same name is replaced).</summary>
    private static Dictionary<string, string> WithKitVariables(IReadOnlyDictionary<string, string>? env, params (string Name, string Value)[] kit)
    {
        var all = new Dictionary<string, string>(env ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in kit)
        {
            all[name] = value;
        }

        return all;
    }

    /// <summary>Says why a command ended abnormally: out of memory, or the signal that killed it; null for an exit.</summary>
    private async Task<string?> DescribeExitAsync(string sandboxId, int exitCode, bool outOfMemory, CancellationToken cancellationToken)
    {
        if (outOfMemory)
        {
            var info = await GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            return info.MemoryMb is { } mb
                ? $"Killed for exceeding the sandbox's memory limit of {mb} MiB."
                : "Killed for exceeding the sandbox's memory limit.";
        }

        return exitCode == -1
            ? "its exit status is unknown: the process waiting for it was killed (perhaps when the sandbox ran out of memory)"
            : ExitStatus.KilledBy(exitCode);
    }
}
