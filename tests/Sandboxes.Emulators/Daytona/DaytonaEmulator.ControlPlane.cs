using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.Daytona;

/// <summary>The control plane (<c>api.json</c>): the sandbox and snapshot routes the adapter uses, named by their operation ids.</summary>
public sealed partial class DaytonaEmulator
{
    private void MapControlPlane(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sandbox", CreateSandboxAsync).WithName("createSandbox");
        routes.MapGet("/sandbox", ListSandboxes).WithName("listSandboxes");
        routes.MapGet("/sandbox/{id}", (string id, HttpContext c) => WithSandbox(c, id, s => Json(c, DaytonaWire.Sandbox(s, ToolboxProxyUrl)))).WithName("getSandbox");
        routes.MapDelete("/sandbox/{id}", DeleteSandbox).WithName("deleteSandbox");
        routes.MapPost("/sandbox/{id}/start", StartSandbox).WithName("startSandbox");
        routes.MapPost("/sandbox/{id}/pause", PauseSandbox).WithName("pauseSandbox");
        routes.MapPost("/sandbox/{id}/snapshot", CreateSandboxSnapshotAsync).WithName("createSandboxSnapshot");
        routes.MapGet("/sandbox/{id}/toolbox-proxy-url", (string id, HttpContext c) =>
            WithSandbox(c, id, _ => Json(c, new JsonObject { ["url"] = ToolboxProxyUrl }))).WithName("getToolboxProxyUrl");
        routes.MapGet("/sandbox/{id}/ports/{port}/signed-preview-url", SignedPreviewUrl).WithName("getSignedPortPreviewUrl");
        routes.MapGet("/snapshots", ListSnapshots).WithName("getAllSnapshots");
        routes.MapGet("/snapshots/{id}", (string id, HttpContext c) => FindSnapshot(id) is { } s
            ? Json(c, DaytonaWire.Snapshot(s))
            : ApiErrorAsync(c, 404, $"Snapshot {id} not found")).WithName("getSnapshot");
        routes.MapDelete("/snapshots/{id}", DeleteSnapshotAsync).WithName("removeSnapshot");
    }

    private async Task CreateSandboxAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        _createBodies.Enqueue((JsonObject)body.DeepClone());
        var snapshotName = (string?)body["snapshot"];
        EmulatedSnapshot? snapshot = null;
        if (!string.IsNullOrEmpty(snapshotName) && (snapshot = FindSnapshot(snapshotName)) is null)
        {
            await ApiErrorAsync(context, 404, $"Snapshot {snapshotName} not found");
            return;
        }

        var cpu = (long?)body["cpu"] ?? 1;
        if (CpuQuota is { } quota && Sandboxes.Where(s => !s.IsGone).Sum(s => s.Cpu) + cpu > quota)
        {
            await ApiErrorAsync(context, 400, $"Total CPU limit exceeded. Maximum allowed: {quota}.\nTo increase concurrency limits, upgrade your organization's Tier.");
            return;
        }

        var ttl = (long?)body["ttlMinutes"] ?? 0;
        var id = Guid.NewGuid().ToString();
        var sandbox = new EmulatedSandbox
        {
            Id = id,
            Name = (string?)body["name"] ?? id,
            Snapshot = snapshot?.Name,
            Env = Strings(body["env"]),
            Labels = new Dictionary<string, string>(Strings(body["labels"])),
            NetworkBlockAll = (bool?)body["networkBlockAll"] ?? false,
            Target = (string?)body["target"] ?? "us",
            Cpu = cpu,
            Gpu = (long?)body["gpu"] ?? 0,
            GpuType = body["gpuType"] is JsonArray { Count: > 0 } types ? (string?)types[0] : null,
            MemoryGib = (long?)body["memory"] ?? 1,
            DiskGib = (long?)body["disk"] ?? 3,
            AutoStopInterval = (long?)body["autoStopInterval"] ?? 15,
            AutoDestroyAt = ttl > 0 ? DateTimeOffset.UtcNow + ttl * MinuteLength : null,
        };
        _sandboxes[id] = sandbox;
        _createBodyBySandbox[id] = (JsonObject)body.DeepClone();
        // Daytona answers at once and starts the sandbox in the background; clients poll until "started".
        _ = Task.Run(() => StartLocalAsync(sandbox, snapshot));
        await Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
    }

    private async Task StartLocalAsync(EmulatedSandbox sandbox, EmulatedSnapshot? snapshot)
    {
        try
        {
            var (local, _) = await Backend.CreateSandboxAsync(new CreateSandboxRequest
            {
                Envs = sandbox.Env.Count > 0 ? sandbox.Env : null,
                Snapshot = snapshot?.LocalId,
                Network = sandbox.NetworkBlockAll ? NetworkPolicy.None : null,
                // Labels stay in the emulator's record; the local sandbox is only marked as the emulator's.
                Labels = new Dictionary<string, string> { ["daytona-emulator"] = sandbox.Id },
                Keep = true,
            });
            sandbox.Local = local;
            if (!sandbox.TryMove("started", "creating"))
            {
                // Deleted while it was being created.
                await local.KillAsync();
            }
        }
        catch (Exception e)
        {
            sandbox.ErrorReason = e.Message;
            sandbox.TryMove("error", "creating");
        }
    }

    private Task ListSandboxes(HttpContext context)
    {
        var query = context.Request.Query;
        var wanted = query.TryGetValue("labels", out var labels) && !string.IsNullOrEmpty(labels)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(labels.ToString()) ?? []
            : [];
        var limit = int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 200) : 100;
        var offset = int.TryParse(query["cursor"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var matching = Sandboxes.Where(s => !s.IsGone && wanted.All(w => s.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
            .OrderBy(s => s.CreatedAt).ToList();
        var page = matching.Skip(offset).Take(limit).Select(s => (JsonNode)DaytonaWire.ListItem(s, ToolboxProxyUrl)).ToArray();
        var next = offset + limit < matching.Count ? (offset + limit).ToString(CultureInfo.InvariantCulture) : null;
        return Json(context, new JsonObject { ["items"] = new JsonArray(page), ["nextCursor"] = next });
    }

    private Task DeleteSandbox(string id, HttpContext context) => WithSandbox(context, id, sandbox =>
    {
        // Deleting a sandbox already on its way out answers as the first delete did.
        if (sandbox.TryMove("destroying", "creating", "started", "paused", "stopped", "error", "snapshotting", "pausing", "resuming"))
        {
            _ = Task.Run(() => DestroyAsync(sandbox));
        }

        return Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
    });

    internal async Task DestroyAsync(EmulatedSandbox sandbox)
    {
        sandbox.TryMove("destroying");
        if (sandbox.Local is { } local)
        {
            try
            {
                await local.KillAsync();
            }
            catch (SandboxException)
            {
                // Gone already.
            }
        }

        sandbox.TryMove("destroyed");
    }

    private Task StartSandbox(string id, HttpContext context) => WithSandbox(context, id, sandbox =>
    {
        if (sandbox.State == "started")
        {
            return Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
        }

        if (!sandbox.TryMove("resuming", "paused"))
        {
            return ApiErrorAsync(context, 400, $"Sandbox {id} cannot be started from state {sandbox.State}");
        }

        _ = Task.Run(async () =>
        {
            await sandbox.Local!.ResumeAsync();
            sandbox.TryMove("started", "resuming");
        });
        return Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
    });

    private Task PauseSandbox(string id, HttpContext context) => WithSandbox(context, id, sandbox =>
    {
        if (!sandbox.TryMove("pausing", "started"))
        {
            return ApiErrorAsync(context, 400, $"Sandbox {id} is not started (state {sandbox.State})");
        }

        _ = Task.Run(async () =>
        {
            await sandbox.Local!.PauseAsync();
            sandbox.TryMove("paused", "pausing");
        });
        return Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
    });

    private async Task CreateSandboxSnapshotAsync(string id, HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var name = (string?)body["name"];
        await WithSandbox(context, id, sandbox =>
        {
            if (string.IsNullOrEmpty(name))
            {
                return ApiErrorAsync(context, 400, "name should not be empty");
            }

            if (FindSnapshot(name) is not null)
            {
                return ApiErrorAsync(context, 409, $"Snapshot with name {name} already exists");
            }

            if (!sandbox.TryMove("snapshotting", "started"))
            {
                return ApiErrorAsync(context, 400, $"Sandbox {id} is not started (state {sandbox.State})");
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    var local = await sandbox.Local!.CreateSnapshotAsync(name);
                    var snapshot = new EmulatedSnapshot { Id = Guid.NewGuid().ToString(), Name = name, LocalId = local.Id, SourceSandboxId = sandbox.Id };
                    _snapshots[snapshot.Id] = snapshot;
                }
                finally
                {
                    sandbox.TryMove("started", "snapshotting");
                }
            });
            return Json(context, DaytonaWire.Sandbox(sandbox, ToolboxProxyUrl));
        });
    }

    private Task ListSnapshots(HttpContext context)
    {
        var query = context.Request.Query;
        var name = query["name"].ToString();
        var limit = int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 200) : 100;
        var page = int.TryParse(query["page"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? Math.Max(1, p) : 1;
        var matching = _snapshots.Values.Where(s => name.Length == 0 || s.Name.Contains(name, StringComparison.Ordinal))
            .OrderBy(s => s.CreatedAt).ToList();
        var items = matching.Skip((page - 1) * limit).Take(limit).Select(s => (JsonNode)DaytonaWire.Snapshot(s)).ToArray();
        return Json(context, new JsonObject
        {
            ["items"] = new JsonArray(items),
            ["total"] = matching.Count,
            ["page"] = page,
            ["totalPages"] = Math.Max(1, (matching.Count + limit - 1) / limit),
        });
    }

    private async Task DeleteSnapshotAsync(string id, HttpContext context)
    {
        if (FindSnapshot(id) is not { } snapshot || !_snapshots.TryRemove(snapshot.Id, out _))
        {
            await ApiErrorAsync(context, 404, $"Snapshot {id} not found");
            return;
        }

        await Backend.DeleteSnapshotAsync(snapshot.LocalId);
        context.Response.StatusCode = 200;
    }

    private Task SignedPreviewUrl(string id, int port, HttpContext context) => WithSandbox(context, id, sandbox =>
    {
        var seconds = int.TryParse(context.Request.Query["expiresInSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 60;
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var key = port.ToString(CultureInfo.InvariantCulture) + "-" + token;
        _previews[key] = new PreviewGrant(sandbox.Id, port, DateTimeOffset.UtcNow.AddSeconds(seconds));
        // Daytona's scheme is https://{port}-{token}.{proxy domain}; *.localhost does not resolve here, so the key goes in the path.
        return Json(context, new JsonObject
        {
            ["sandboxId"] = sandbox.Id,
            ["port"] = port,
            ["token"] = token,
            ["url"] = ProxyUrl.AbsoluteUri.TrimEnd('/') + "/preview/" + key + "/",
        });
    });

    private EmulatedSnapshot? FindSnapshot(string idOrName) =>
        _snapshots.TryGetValue(idOrName, out var byId) ? byId : _snapshots.Values.FirstOrDefault(s => s.Name == idOrName);

    private Task WithSandbox(HttpContext context, string id, Func<EmulatedSandbox, Task> action)
    {
        var sandbox = Find(id);
        // A destroyed sandbox can still be read for a while, as on Daytona; nothing else reaches it.
        return sandbox is null || (sandbox.State == "destroyed" && !HttpMethods.IsGet(context.Request.Method))
            ? ApiErrorAsync(context, 404, $"Sandbox with ID or name {id} not found")
            : action(sandbox);
    }

    private static Task Json(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task ApiErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return Json(context, DaytonaWire.ApiError(status, message));
    }

    private static IReadOnlyDictionary<string, string> Strings(JsonNode? node) =>
        node is JsonObject map ? map.ToDictionary(p => p.Key, p => (string?)p.Value ?? string.Empty, StringComparer.Ordinal) : new Dictionary<string, string>();
}
