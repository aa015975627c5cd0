namespace Sandboxes.Providers.Local;

/// <summary>How a local sandbox is isolated.</summary>
internal enum IsolationMode
{
    /// <summary>Namespaces when bubblewrap works here, else process isolation (said once, clearly).</summary>
    Auto,

    /// <summary>bubblewrap namespaces: own pid, mount, ipc, uts and net namespaces, read-only system, private /tmp.</summary>
    Namespaces,

    /// <summary>Plain processes in the sandbox's directory with a clean environment: file APIs stay confined, commands do not.</summary>
    Process,
}
