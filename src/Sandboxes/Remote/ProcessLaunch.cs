namespace Sandboxes.Remote;

/// <summary>
/// What the kit asks a provider to start. The program is always one of the kit's scripts run by <c>/bin/sh -c SCRIPT
/// NAME ARGS...</c>, so no value of the user's is ever spliced into script text.
/// </summary>
internal sealed record ProcessLaunch
{
    /// <summary>The program and its arguments.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>Variables added to the sandbox's environment.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The user to run as (name or uid); null for the sandbox's default user.</summary>
    public string? User { get; init; }

    /// <summary>The working directory as the user gave it; null for the sandbox's default.</summary>
    public string? Cwd { get; init; }

    /// <summary>Connect the process's stdin (otherwise it reads nothing).</summary>
    public bool Stdin { get; init; }

    /// <summary>The background handle the process serves, for providers that can tag their processes; null otherwise.</summary>
    public string? HandleId { get; init; }

    /// <summary>How long the process may run, for providers that can enforce a backstop of their own; null for no limit.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Run as root whatever <see cref="User"/> says (the kit's killers and followers must see every process).</summary>
    public bool AsRoot { get; init; }
}
