namespace Sandboxes.Remote;

/// <summary>A piece of a process's output, as the provider delivered it.</summary>
/// <param name="IsStderr">True for standard error, false for standard output.</param>
/// <param name="Bytes">The bytes; valid until the next read.</param>
internal readonly record struct OutputChunk(bool IsStderr, ReadOnlyMemory<byte> Bytes);
