namespace Sandboxes.Isolation;

/// <summary>How a local sandbox is isolated.</summary>
internal enum IsolationMode
{
    /// <summary>Namespaces; where bubblewrap cannot provide them, creating a sandbox fails with what is missing and how to install it.</summary>
    Auto,

    /// <summary>bubblewrap namespaces: own pid, mount, ipc, uts and net namespaces, read-only system, private /tmp.</summary>
    Namespaces,

    /// <summary>
    /// Plain processes in the sandbox's directory with a clean environment, only on explicit request: file APIs stay
    /// confined, commands do not (they see the host's files and network). Run by root, they run as the sandboxes'
    /// unprivileged host user with no capabilities.
    /// </summary>
    Process,
}
