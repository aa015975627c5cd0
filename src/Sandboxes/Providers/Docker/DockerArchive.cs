using System.Formats.Tar;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Reads the answer of <c>GET /containers/{id}/archive</c>: a tar stream whose first entry is the file asked for (or
/// the link at its path). Whatever bytes the engine sends, the result is the file's data, the link's target, or a
/// typed error; a damaged or cut archive is a <see cref="ProviderException"/>, never an exception of the tar reader.
/// </summary>
internal static class DockerArchive
{
    /// <summary>
    /// The first entry of <paramref name="response"/>: a stream of the file's data (which owns the response), or the
    /// target of the link at <paramref name="path"/> (the response is then disposed).
    /// </summary>
    /// <exception cref="SandboxException">A directory, another kind of file, no entry, or a damaged archive.</exception>
    public static async Task<(Stream? File, string? LinkTarget)> FirstEntryAsync(Stream response, string path, string sandboxId,
        CancellationToken cancellationToken)
    {
        // Through the guard: a metadata header claiming gigabytes is refused before the tar reader allocates them.
        var reader = new TarReader(new TarMetadataGuard(response), leaveOpen: true);
        try
        {
            var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
            switch (entry?.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    return (new ArchiveEntryStream(entry.DataStream ?? Stream.Null, entry.Length, reader, response, path), null);
                case TarEntryType.Directory:
                    throw new BadConfigException(DockerProvider.ProviderId, $"{path} is a directory; read files, list directories.");
                case TarEntryType.SymbolicLink:
                    // Docker answers with the link itself (Podman follows it): the caller follows it, inside the container.
                    await DisposeAllAsync(reader, response).ConfigureAwait(false);
                    return (null, entry.LinkName);
                case null:
                    throw new NotFoundException(DockerProvider.ProviderId, $"{path} does not exist in sandbox {DockerErrors.Short(sandboxId)}.");
                default:
                    throw new SandboxIOException(DockerProvider.ProviderId, path, $"it is a {entry.EntryType}, not a regular file");
            }
        }
        catch (Exception e) when (IsDamage(e))
        {
            await DisposeAllAsync(reader, response).ConfigureAwait(false);
            throw Damaged(path, e);
        }
        catch
        {
            await DisposeAllAsync(reader, response).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// True for what the tar reader throws on bytes that are no valid archive: a bad header or checksum, a stream cut in
    /// a header, a field out of range (a date, a size).
    /// </summary>
    public static bool IsDamage(Exception e) => e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException;

    /// <summary>The error of an archive that is damaged or cut short.</summary>
    public static ProviderException Damaged(string path, Exception e) =>
        new(DockerProvider.ProviderId, $"The engine's archive of {path} is not a valid tar stream: {e.Message}", innerException: e);

    private static async Task DisposeAllAsync(TarReader reader, Stream response)
    {
        await reader.DisposeAsync().ConfigureAwait(false);
        await response.DisposeAsync().ConfigureAwait(false);
    }
}
