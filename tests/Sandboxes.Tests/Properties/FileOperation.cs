namespace Sandboxes.Tests.Properties;

/// <summary>The file calls a hostile path is given to.</summary>
public enum FileOperation
{
    /// <summary><see cref="Sandbox.ReadFileAsync"/>.</summary>
    Read,

    /// <summary><see cref="Sandbox.WriteFileAsync(string, byte[], int?, string?, CancellationToken)"/>.</summary>
    Write,

    /// <summary><see cref="Sandbox.ListDirectoryAsync"/>.</summary>
    List,

    /// <summary><see cref="Sandbox.MakeDirAsync"/>.</summary>
    MakeDir,

    /// <summary><see cref="Sandbox.RemoveAsync"/>.</summary>
    Remove,

    /// <summary><see cref="Sandbox.ExistsAsync"/>.</summary>
    Exists,
}
