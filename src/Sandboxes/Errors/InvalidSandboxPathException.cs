namespace Sandboxes;

/// <summary>
/// A path given to a file operation leaves the sandbox (through <c>..</c>, an absolute host path or a symbolic link
/// created inside the sandbox) or is otherwise not a usable sandbox path. Nothing was read or written.
/// </summary>
public class InvalidSandboxPathException : BadConfigException
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public InvalidSandboxPathException(string provider, string path, string reason)
        : base(provider, $"The path '{path}' is refused: {reason}")
    {
        Path = path;
    }

    /// <summary>The path as the caller gave it.</summary>
    public string Path { get; }
}
