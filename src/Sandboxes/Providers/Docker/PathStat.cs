using System.Text.Json;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// What the engine says about a container path in the <c>X-Docker-Container-Path-Stat</c> header of
/// <c>HEAD /containers/{id}/archive</c> (base64 JSON: name, size, mode as a Go <c>FileMode</c>, mtime, linkTarget).
/// </summary>
/// <param name="IsDir">True for a directory (Podman also says so for a link to one).</param>
/// <param name="IsSymlink">True for a symbolic link (Docker describes the link itself).</param>
internal sealed record PathStat(bool IsDir, bool IsSymlink)
{
    private const uint GoModeDir = 1u << 31;
    private const uint GoModeSymlink = 1u << 27;

    /// <summary>Reads the header's value; null when it is absent or unreadable.</summary>
    public static PathStat? FromHeader(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(header));
            var root = document.RootElement;
            var mode = root.TryGetProperty("mode", out var m) && m.TryGetUInt32(out var value) ? value : 0;
            var isDir = root.TryGetProperty("isDir", out var d) && d.ValueKind == JsonValueKind.True;
            return new PathStat(isDir || (mode & GoModeDir) != 0, (mode & GoModeSymlink) != 0);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
