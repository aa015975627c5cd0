using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>A kernel as the server describes it.</summary>
internal sealed record JupyterKernel(string Id, string Name, string? ExecutionState, DateTimeOffset? LastActivity)
{
    public static JupyterKernel From(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty,
        e.TryGetProperty("execution_state", out var state) ? state.GetString() : null,
        JupyterRest.Time(e, "last_activity"));
}

/// <summary>A session: a kernel bound to a path, a name and a type.</summary>
internal sealed record JupyterSession(string Id, string Path, string Name, string Type, string? KernelId)
{
    public static JupyterSession From(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.TryGetProperty("path", out var path) ? path.GetString() ?? string.Empty : string.Empty,
        e.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty,
        e.TryGetProperty("type", out var type) ? type.GetString() ?? string.Empty : string.Empty,
        e.TryGetProperty("kernel", out var kernel) && kernel.ValueKind == JsonValueKind.Object ? kernel.GetProperty("id").GetString() : null);
}

/// <summary>A file or directory of the contents API.</summary>
internal sealed record JupyterContent(string Name, string Path, string Type, long? Size, DateTimeOffset? LastModified, string? Base64)
{
    public bool IsDirectory => Type == "directory";

    public static JupyterContent From(JsonElement e) => new(
        e.GetProperty("name").GetString() ?? string.Empty,
        e.GetProperty("path").GetString() ?? string.Empty,
        e.TryGetProperty("type", out var type) ? type.GetString() ?? "file" : "file",
        e.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null,
        JupyterRest.Time(e, "last_modified"),
        e.TryGetProperty("format", out var format) && format.GetString() == "base64" && e.TryGetProperty("content", out var content)
            ? content.GetString()
            : null);
}
