namespace Sandboxes.Cli.Commands;

/// <summary>
/// Sandboxes with a name (<c>shell -n</c>, <c>claude -n</c>): found by the <see cref="ListVerb.NameLabel"/> label, so that
/// running the verb again reattaches; a paused one is resumed first. Named sandboxes are always kept.
/// </summary>
internal static class NamedSandboxes
{
    /// <summary>The labels that mark a sandbox with this name.</summary>
    public static Dictionary<string, string> Labels(string name) => new(StringComparer.Ordinal) { [ListVerb.NameLabel] = name };

    /// <summary>The newest running or paused sandbox with this name on the session's provider (resumed), or null.</summary>
    public static async Task<Sandbox?> FindAsync(CliSession session, string name, CancellationToken cancellationToken)
    {
        var sandboxer = session.Sandboxer();
        var found = await sandboxer.ListSandboxesAsync(new ListSandboxesFilter { Labels = Labels(name) }, cancellationToken).ConfigureAwait(false);
        var newest = found.Where(s => s.Status == SandboxStatus.Running || s.Status == SandboxStatus.Paused)
            .OrderByDescending(s => s.StartedAt ?? DateTimeOffset.MinValue)
            .FirstOrDefault();
        if (newest is null)
        {
            return null;
        }

        var sandbox = await sandboxer.AttachSandboxAsync(newest.Id, cancellationToken).ConfigureAwait(false);
        if (newest.Status == SandboxStatus.Paused)
        {
            Output.CliConsole.Note($"resuming paused sandbox {newest.Id} ({name})", session.Quiet);
            await sandbox.ResumeAsync(cancellationToken).ConfigureAwait(false);
        }

        return sandbox;
    }
}
