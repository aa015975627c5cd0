namespace Sandboxes;

/// <summary>
/// A named recipe for a sandbox: setup commands run after creation, and default resources and lifetime. Values set in
/// <see cref="SandboxOptions"/> override the preset's; a preset's resource defaults are applied only where the chosen
/// provider can honour them (they are defaults, not demands), whereas explicit options are checked strictly.
/// </summary>
/// <param name="Name">The name users pass as <see cref="SandboxOptions.Preset"/> (case-insensitive).</param>
public sealed record SandboxPreset(string Name)
{
    /// <summary>What the preset gives, in a line.</summary>
    public string? Description { get; init; }

    /// <summary>Shell commands run in order after the sandbox is created; the first that fails fails the creation.</summary>
    public IReadOnlyList<string> SetupCommands { get; init; } = [];

    /// <summary>Default CPUs.</summary>
    public double? Cpus { get; init; }

    /// <summary>Default memory limit in MiB.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Default disk size in MiB.</summary>
    public int? DiskMb { get; init; }

    /// <summary>Default lifetime in seconds of a sandbox that is not kept (<see cref="SandboxOptions.Keep"/>); a kept one lives until killed unless <see cref="SandboxOptions.TimeoutSeconds"/> is set.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>
    /// The network the setup commands need (<see cref="NetworkPolicy.Internet"/> for those that install packages),
    /// asked for where the provider lets it be chosen; <see cref="SandboxOptions.Network"/> overrides it.
    /// </summary>
    public NetworkPolicy? Network { get; init; }

    /// <summary>Default image, for providers that start from images.</summary>
    public string? Image { get; init; }

    /// <summary>Default template.</summary>
    public string? Template { get; init; }

    /// <summary>Environment variables (the options' own are merged over them).</summary>
    public IReadOnlyDictionary<string, string>? Envs { get; init; }

    /// <summary>The time limit of each setup command in seconds. Default 900.</summary>
    public double SetupCommandTimeoutSeconds { get; init; } = 900;
}
