using System.Globalization;
using System.Text;
using Sandboxes.Providers;

namespace Sandboxes.Remote;

/// <summary>Signals, process listings and the kit's helper processes.</summary>
internal abstract partial class RemoteProcessProvider
{
    // How long killing a process tree may take before it is given up (the sandbox may be gone).
    private static readonly TimeSpan KillTreeLimit = TimeSpan.FromSeconds(15);

    public override async Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken)
    {
        var result = await RunHelperAsync(sandboxId, KitScripts.Signal,
            [pid.ToString(CultureInfo.InvariantCulture), ((int)signal).ToString(CultureInfo.InvariantCulture), ProcessTag(sandboxId) ?? string.Empty],
            asRoot: true, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == KitScripts.NotFoundExit)
        {
            throw new NotFoundException(Name, $"No process {pid} runs in sandbox {sandboxId}.");
        }

        if (result.ExitCode != 0)
        {
            throw new ProviderException(Name, $"Signalling process {pid} failed: {result.Stderr}");
        }
    }

    public override async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var result = await RunHelperAsync(sandboxId, KitScripts.ListProcesses, [ProcessTag(sandboxId) ?? string.Empty], asRoot: true, cancellationToken)
            .ConfigureAwait(false);
        var passwd = await PasswdAsync(sandboxId, refresh: false, cancellationToken).ConfigureAwait(false);
        var processes = new List<ProcessInfo>();
        foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t', 4);
            if (fields.Length == 4 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                processes.Add(new ProcessInfo(pid, fields[3], passwd.NameOf(uid)) { HandleId = fields[2].Length > 0 ? fields[2] : null });
            }
        }

        return processes.OrderBy(p => p.Pid).ToList();
    }

    /// <summary>
    /// Starts a script as a helper: hidden from process listings, as root or as the sandbox's default user, killable
    /// by <paramref name="nonce"/> when one is given, with its stdin connected when <paramref name="stdin"/> is true.
    /// </summary>
    protected Task<RemoteProcess> LaunchHelperAsync(string sandboxId, string script, IEnumerable<string> args, bool asRoot, string? nonce,
        bool stdin, CancellationToken cancellationToken)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { [KitScripts.HelperVariable] = "1" };
        if (nonce is not null)
        {
            env[KitScripts.ExecVariable] = nonce;
        }

        return LaunchAsync(sandboxId, new ProcessLaunch
        {
            Argv = ["/bin/sh", "-c", script, "sandboxes-helper", .. args],
            Env = env,
            AsRoot = asRoot,
            Stdin = stdin,
        }, cancellationToken);
    }

    /// <summary>Runs a script as a helper to completion and collects what it printed.</summary>
    protected async Task<HelperResult> RunHelperAsync(string sandboxId, string script, IEnumerable<string> args, bool asRoot,
        CancellationToken cancellationToken)
    {
        var process = await LaunchHelperAsync(sandboxId, script, args, asRoot, null, stdin: false, cancellationToken).ConfigureAwait(false);
        return await RunToEndAsync(process, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a script as a helper, as <paramref name="user"/>, to completion and collects what it printed.</summary>
    protected async Task<HelperResult> RunHelperAsUserAsync(string sandboxId, string script, IEnumerable<string> args, string user,
        CancellationToken cancellationToken)
    {
        var process = await LaunchAsync(sandboxId, new ProcessLaunch
        {
            Argv = ["/bin/sh", "-c", script, "sandboxes-helper", .. args],
            Env = new Dictionary<string, string>(StringComparer.Ordinal) { [KitScripts.HelperVariable] = "1" },
            User = user,
        }, cancellationToken).ConfigureAwait(false);
        return await RunToEndAsync(process, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HelperResult> RunToEndAsync(RemoteProcess process, CancellationToken cancellationToken)
    {
        await using (process.ConfigureAwait(false))
        {
            await process.CloseStdinAsync(cancellationToken).ConfigureAwait(false);
            using var stdout = new MemoryStream();
            using var stderr = new MemoryStream();
            while (await process.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
            {
                (chunk.IsStderr ? stderr : stdout).Write(chunk.Bytes.Span);
            }

            var exitCode = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new HelperResult(exitCode, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()).Trim());
        }
    }

    /// <summary>
    /// Kills every process of a command (found by its nonce) with a signal (a name: KILL, HUP...). Bounded in time: a
    /// sandbox that no longer answers has nothing left to kill.
    /// </summary>
    protected async Task KillTreeAsync(string sandboxId, string nonce, string signal)
    {
        using var limit = new CancellationTokenSource(KillTreeLimit);
        try
        {
            await RunHelperAsync(sandboxId, KitScripts.KillTree, [nonce, signal], asRoot: true, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
        }
    }
}
