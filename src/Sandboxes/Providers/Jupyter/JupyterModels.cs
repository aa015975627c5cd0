namespace Sandboxes.Providers.Jupyter;

/// <summary>A kernel as the server describes it.</summary>
internal sealed record JupyterKernel(string Id, string Name, string? ExecutionState, DateTimeOffset? LastActivity);

/// <summary>A session: a kernel bound to a path, a name and a type.</summary>
internal sealed record JupyterSession(string Id, string Path, string Name, string Type, JupyterKernel? Kernel)
{
    /// <summary>The session's kernel's id, if it has one.</summary>
    public string? KernelId => Kernel?.Id;
}

/// <summary>A file or directory of the contents API; <see cref="Base64"/> holds a file's content when it was asked for.</summary>
internal sealed record JupyterContent(string Name, string Path, string Type, long? Size, DateTimeOffset? LastModified, string? Base64)
{
    public bool IsDirectory => Type == "directory";
}
