namespace Sandboxes.Providers.Docker;

/// <summary>The stream a frame of the engine's multiplexed exec output belongs to (the first byte of its header).</summary>
internal enum ExecStreamKind : byte
{
    /// <summary>Echoed stdin (engines write it on stdout's behalf; the adapter never asks for it).</summary>
    Stdin = 0,

    /// <summary>Standard output.</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,
}
