using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>What to run through <c>POST /containers/{id}/exec</c>.</summary>
internal sealed record ExecSpec
{
    /// <summary>The program and its arguments.</summary>
    public required IReadOnlyList<string> Cmd { get; init; }

    /// <summary><c>NAME=value</c> pairs added to the container's environment.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The user (name or uid); null for the container's.</summary>
    public string? User { get; init; }

    /// <summary>The working directory; null for the container's (<c>/workspace</c>).</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Attach stdin (otherwise the process reads /dev/null).</summary>
    public bool Stdin { get; init; }

    /// <summary>Give the process a terminal: its output is then one raw stream, not multiplexed.</summary>
    public bool Tty { get; init; }

    /// <summary>The terminal's initial size (rows, columns), for <see cref="Tty"/>.</summary>
    public (int Rows, int Cols)? ConsoleSize { get; init; }

    /// <summary>A helper of the adapter's: runs as root with <c>SANDBOXES_HELPER=1</c>, hidden from process listings.</summary>
    public static ExecSpec Helper(string script, IEnumerable<string> args, bool asRoot) => new()
    {
        Cmd = ["/bin/sh", "-c", script, "sandboxes-helper", .. args],
        Env = [KitScripts.HelperVariable + "=1"],
        User = asRoot ? "0" : null,
    };
}
