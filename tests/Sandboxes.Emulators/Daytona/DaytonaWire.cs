using System.Globalization;
using System.Text.Json.Nodes;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// The JSON the emulator answers with, field for field as <c>specs/daytona/api.json</c> and <c>toolbox.json</c> define it
/// (Prism checks every answer against them): required fields always present, optional ones left out rather than null,
/// except where the spec says nullable.
/// </summary>
internal static class DaytonaWire
{
    public const string OrganizationId = "org-emulator";

    /// <summary>A <c>Sandbox</c> (create, get, start, pause, delete, snapshot).</summary>
    public static JsonObject Sandbox(EmulatedSandbox s, string toolboxProxyUrl)
    {
        var json = ListItem(s, toolboxProxyUrl);
        json["env"] = Map(s.Env);
        json["autoArchiveInterval"] = 10080;
        json["autoDeleteInterval"] = -1;
        json["volumes"] = new JsonArray();
        json["sandboxClass"] = "container";
        return json;
    }

    /// <summary>A <c>SandboxListItem</c> (list).</summary>
    public static JsonObject ListItem(EmulatedSandbox s, string toolboxProxyUrl)
    {
        var json = new JsonObject
        {
            ["id"] = s.Id,
            ["organizationId"] = OrganizationId,
            ["name"] = s.Name,
            ["user"] = "daytona",
            ["labels"] = Map(s.Labels),
            ["public"] = false,
            ["networkBlockAll"] = s.NetworkBlockAll,
            ["target"] = s.Target,
            ["cpu"] = s.Cpu,
            ["gpu"] = s.Gpu,
            ["memory"] = s.MemoryGib,
            ["disk"] = s.DiskGib,
            ["state"] = s.State,
            ["desiredState"] = DesiredState(s.State),
            ["autoStopInterval"] = s.AutoStopInterval,
            ["createdAt"] = Time(s.CreatedAt),
            ["updatedAt"] = Time(s.UpdatedAt),
            ["toolboxProxyUrl"] = toolboxProxyUrl,
        };
        if (s.Snapshot is not null)
        {
            json["snapshot"] = s.Snapshot;
        }

        if (s.GpuType is not null)
        {
            json["gpuType"] = s.GpuType;
        }

        if (s.AutoDestroyAt is { } at)
        {
            json["autoDestroyAt"] = Time(at);
        }

        if (s.ErrorReason is not null)
        {
            json["errorReason"] = s.ErrorReason;
        }

        return json;
    }

    /// <summary>A <c>SnapshotDto</c>.</summary>
    public static JsonObject Snapshot(EmulatedSnapshot s) => new()
    {
        ["id"] = s.Id,
        ["organizationId"] = OrganizationId,
        ["general"] = false,
        ["name"] = s.Name,
        ["state"] = "active",
        ["size"] = null,
        ["entrypoint"] = null,
        ["cpu"] = 1,
        ["gpu"] = 0,
        ["mem"] = 1,
        ["disk"] = 3,
        ["errorReason"] = null,
        ["createdAt"] = Time(s.CreatedAt),
        ["updatedAt"] = Time(s.CreatedAt),
        ["lastUsedAt"] = null,
        ["sourceSandboxId"] = s.SourceSandboxId,
    };

    /// <summary>The control plane's error body (NestJS): <c>statusCode</c>, <c>message</c>, <c>error</c>.</summary>
    public static JsonObject ApiError(int status, string message) => new()
    {
        ["statusCode"] = status,
        ["message"] = message,
        ["error"] = status switch
        {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            429 => "Too Many Requests",
            _ => "Error",
        },
    };

    /// <summary>The daemon's <c>ErrorResponse</c>.</summary>
    public static JsonObject ToolboxError(int status, string message, string path, string method) => new()
    {
        ["statusCode"] = status,
        ["message"] = message,
        ["code"] = status switch
        {
            400 => "BAD_REQUEST",
            401 => "UNAUTHORIZED",
            403 => "FORBIDDEN",
            404 => "NOT_FOUND",
            408 => "REQUEST_TIMEOUT",
            409 => "CONFLICT",
            410 => "GONE",
            _ => "INTERNAL_ERROR",
        },
        ["path"] = path,
        ["method"] = method,
        ["source"] = "DAYTONA_DAEMON",
        ["timestamp"] = Time(DateTimeOffset.UtcNow),
    };

    /// <summary>A daemon <c>FileInfo</c>.</summary>
    public static JsonObject FileInfo(FileEntry entry)
    {
        var permissions = entry.Mode & 0x1FF;
        return new JsonObject
        {
            ["name"] = entry.Name,
            ["path"] = entry.Path,
            ["size"] = entry.Size,
            ["mode"] = GoModeString(entry),
            ["modTime"] = (entry.ModifiedAt ?? DateTimeOffset.UnixEpoch).ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", CultureInfo.InvariantCulture),
            ["modifiedAt"] = Time(entry.ModifiedAt ?? DateTimeOffset.UnixEpoch),
            ["isDir"] = entry.IsDir,
            ["owner"] = "0",
            ["group"] = "0",
            ["permissions"] = Convert.ToString(permissions, 8).PadLeft(4, '0'),
        };
    }

    /// <summary>A <c>PtySessionInfo</c>.</summary>
    public static JsonObject PtyInfo(EmulatedPty pty) => new()
    {
        ["id"] = pty.Id,
        ["cwd"] = pty.Cwd,
        ["envs"] = Map(pty.Envs),
        ["cols"] = pty.Cols,
        ["rows"] = pty.Rows,
        ["createdAt"] = Time(pty.CreatedAt),
        ["active"] = pty.Active,
        ["lazyStart"] = pty.LazyStart,
    };

    /// <summary>RFC 3339 in UTC, as the services serialize times.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = value;
        }

        return json;
    }

    private static string DesiredState(string state) => state switch
    {
        "destroyed" or "destroying" => "destroyed",
        "paused" or "pausing" => "paused",
        "stopped" or "stopping" => "stopped",
        _ => "started",
    };

    /// <summary>Go's <c>FileMode.String()</c>: a type letter (or <c>-</c>) and the nine permission letters.</summary>
    private static string GoModeString(FileEntry entry)
    {
        const string letters = "rwxrwxrwx";
        var chars = new char[10];
        chars[0] = entry.IsDir ? 'd' : entry.IsSymlink ? 'L' : '-';
        for (var i = 0; i < 9; i++)
        {
            chars[i + 1] = (entry.Mode & (1 << (8 - i))) != 0 ? letters[i] : '-';
        }

        return new string(chars);
    }
}
