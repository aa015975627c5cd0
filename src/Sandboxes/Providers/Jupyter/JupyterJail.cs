namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Where a started Jupyter server's jail puts things: the server runs in a <see cref="Isolation.JailSpec"/> jail (the
/// same as a local sandbox's: read-only system, its own pid namespace, private <c>/tmp</c>, <c>/root</c> and
/// <c>/home</c>, seccomp filter, reduced capabilities, and an unprivileged user when started by root) with the
/// host's network, so that it can listen on the host's 127.0.0.1; paths in the file API and in kernels then agree.
/// </summary>
internal static class JupyterJail
{
    /// <summary>The sandbox path of the shared workspace.</summary>
    public const string Workspace = "/workspace";
}
