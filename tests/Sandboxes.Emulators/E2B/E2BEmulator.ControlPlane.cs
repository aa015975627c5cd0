using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.E2B;

public sealed partial class E2BEmulator
{
    private void MapControlPlane(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", (HttpContext c) => { c.Response.StatusCode = 204; return Task.CompletedTask; }).WithName("getHealth");
        routes.MapPost("/sandboxes", CreateAsync).WithName("postSandboxes");
        routes.MapGet("/v2/sandboxes", ListAsync).WithName("getV2Sandboxes");
        routes.MapGet("/sandboxes/{sandboxID}", DescribeAsync).WithName("getSandboxesBySandboxID");
        routes.MapDelete("/sandboxes/{sandboxID}", KillAsync).WithName("deleteSandboxesBySandboxID");
        routes.MapPost("/sandboxes/{sandboxID}/pause", PauseAsync).WithName("postSandboxesBySandboxIDPause");
        routes.MapPost("/sandboxes/{sandboxID}/connect", ConnectAsync).WithName("postSandboxesBySandboxIDConnect");
        routes.MapPost("/sandboxes/{sandboxID}/timeout", SetTimeoutAsync).WithName("postSandboxesBySandboxIDTimeout");
        routes.MapPost("/sandboxes/{sandboxID}/snapshots", SnapshotAsync).WithName("postSandboxesBySandboxIDSnapshots");
        routes.MapGet("/snapshots", ListSnapshotsAsync).WithName("getSnapshots");
        routes.MapDelete("/templates/{**templateID}", DeleteTemplateAsync).WithName("deleteTemplatesByTemplateID");
    }

    private async Task CreateAsync(HttpContext context)
    {
        var body = await ReadJsonAsync(context.Request);
        if (body?["templateID"]?.GetValue<string>() is not { Length: > 0 } template)
        {
            await WriteJsonAsync(context.Response, 400, ErrorBody(400, "Error when parsing request: templateID is required"));
            return;
        }

        string? localSnapshot = null;
        string templateId = BaseTemplateId;
        string? alias = "base";
        if (template != "base" && template != BaseTemplateId)
        {
            if (!_snapshots.TryGetValue(template, out var snapshot))
            {
                await WriteJsonAsync(context.Response, 404, ErrorBody(404, $"template '{template}' not found"));
                return;
            }

            localSnapshot = snapshot.LocalId;
            templateId = template.Split(':')[0];
            alias = snapshot.Names.Count > 0 ? snapshot.Names[0].Split('/')[^1].Split(':')[0] : null;
        }

        var envs = body["envVars"] is JsonObject vars ? vars.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : null;
        var (local, _) = await Backend.CreateSandboxAsync(new CreateSandboxRequest { Envs = envs, Snapshot = localSnapshot });
        var timeout = body["timeout"]?.GetValue<int>() ?? 15;
        var sandbox = new EmulatedSandbox("i" + RandomId(19), local, templateId, alias, "ea_" + RandomId(32))
        {
            Metadata = body["metadata"] is JsonObject labels ? labels.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : [],
            AutoPause = body["autoPause"]?.GetValue<bool>() ?? false,
            AllowInternetAccess = body["allow_internet_access"]?.GetValue<bool>(),
            EndAt = DateTimeOffset.UtcNow.AddSeconds(timeout),
        };
        _sandboxes[sandbox.Id] = sandbox;
        ScheduleExpiry(sandbox);
        await WriteJsonAsync(context.Response, 201, SandboxBody(sandbox));
    }

    private async Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var wanted = ParseMetadataQuery(query["metadata"].ToString());
        var states = query["state"].SelectMany(s => (s ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        var limit = int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 100;
        var offset = query["nextToken"].ToString() is { Length: > 0 } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        var matching = _sandboxes.Values
            .Where(s => states.Count == 0 || states.Contains(s.State))
            .Where(s => wanted.All(p => s.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
            .OrderByDescending(s => s.StartedAt).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var page = matching.Skip(offset).Take(limit).ToList();
        if (offset + page.Count < matching.Count)
        {
            context.Response.Headers["X-Next-Token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        await WriteJsonAsync(context.Response, 200, new JsonArray(page.Select(s => (JsonNode)ListedBody(s)).ToArray()));
    }

    private async Task DescribeAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is { } sandbox)
        {
            await WriteJsonAsync(context.Response, 200, DetailBody(sandbox));
        }
    }

    private async Task KillAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is not { } sandbox)
        {
            return;
        }

        await RemoveAsync(sandbox);
        context.Response.StatusCode = 204;
    }

    private async Task PauseAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is not { } sandbox)
        {
            return;
        }

        await sandbox.Gate.WaitAsync();
        try
        {
            if (sandbox.State == "paused")
            {
                await WriteJsonAsync(context.Response, 409, ErrorBody(409, $"Sandbox {sandbox.Id} is already paused"));
                return;
            }

            await sandbox.Local.PauseAsync();
            sandbox.State = "paused";
            // A paused sandbox does not expire.
            sandbox.Expiry?.Dispose();
        }
        finally
        {
            sandbox.Gate.Release();
        }

        context.Response.StatusCode = 204;
    }

    private async Task ConnectAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is not { } sandbox)
        {
            return;
        }

        var body = await ReadJsonAsync(context.Request);
        if (body?["timeout"]?.GetValue<int>() is not { } timeout || timeout < 0)
        {
            await WriteJsonAsync(context.Response, 400, ErrorBody(400, "timeout is required"));
            return;
        }

        var resumed = false;
        await sandbox.Gate.WaitAsync();
        try
        {
            if (sandbox.State == "paused")
            {
                await sandbox.Local.ResumeAsync();
                sandbox.State = "running";
                resumed = true;
            }

            // The lifetime is only ever extended by a connect.
            var end = DateTimeOffset.UtcNow.AddSeconds(timeout);
            if (resumed || end > sandbox.EndAt)
            {
                sandbox.EndAt = end;
            }

            ScheduleExpiry(sandbox);
        }
        finally
        {
            sandbox.Gate.Release();
        }

        await WriteJsonAsync(context.Response, resumed ? 201 : 200, SandboxBody(sandbox));
    }

    private async Task SetTimeoutAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is not { } sandbox)
        {
            return;
        }

        var body = await ReadJsonAsync(context.Request);
        if (body?["timeout"]?.GetValue<int>() is not { } timeout || timeout < 0)
        {
            await WriteJsonAsync(context.Response, 400, ErrorBody(400, "timeout is required"));
            return;
        }

        sandbox.EndAt = DateTimeOffset.UtcNow.AddSeconds(timeout);
        if (sandbox.State == "running")
        {
            ScheduleExpiry(sandbox);
        }

        context.Response.StatusCode = 204;
    }

    private async Task SnapshotAsync(HttpContext context)
    {
        if (await SandboxOr404Async(context) is not { } sandbox)
        {
            return;
        }

        var body = await ReadJsonAsync(context.Request);
        var name = body?["name"]?.GetValue<string>();
        var local = await sandbox.Local.CreateSnapshotAsync(name);
        var templateId = RandomId(20);
        // E2B names a named snapshot team-slug/name:tag; the id here leaves the slug out, so that it travels in a path
        // segment unescaped (the adapter reads names and ids either way).
        var snapshotId = (name ?? templateId) + ":default";
        var names = new List<string> { "emulator-team/" + (name ?? templateId) + ":default" };
        _snapshots[snapshotId] = new EmulatedSnapshot(snapshotId, names, sandbox.Id, local.Id);
        await WriteJsonAsync(context.Response, 201, SnapshotBody(_snapshots[snapshotId]));
    }

    private async Task ListSnapshotsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 100;
        var offset = query["nextToken"].ToString() is { Length: > 0 } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        var sandboxId = query["sandboxID"].ToString();
        var matching = _snapshots.Values.Where(s => sandboxId.Length == 0 || s.SandboxId == sandboxId).OrderBy(s => s.SnapshotId, StringComparer.Ordinal).ToList();
        var page = matching.Skip(offset).Take(limit).ToList();
        if (offset + page.Count < matching.Count)
        {
            context.Response.Headers["X-Next-Token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        await WriteJsonAsync(context.Response, 200, new JsonArray(page.Select(s => (JsonNode)SnapshotBody(s)).ToArray()));
    }

    private async Task DeleteTemplateAsync(HttpContext context)
    {
        var id = Uri.UnescapeDataString(context.Request.RouteValues["templateID"]?.ToString() ?? string.Empty);
        if (!_snapshots.TryRemove(id, out var snapshot))
        {
            await WriteJsonAsync(context.Response, 404, ErrorBody(404, $"template '{id}' not found"));
            return;
        }

        await Backend.DeleteSnapshotAsync(snapshot.LocalId);
        context.Response.StatusCode = 204;
    }

    /// <summary>Kills or pauses (auto-pause) a sandbox when its lifetime ends.</summary>
    private void ScheduleExpiry(EmulatedSandbox sandbox)
    {
        sandbox.Expiry?.Dispose();
        var due = sandbox.EndAt - DateTimeOffset.UtcNow;
        sandbox.Expiry = new Timer(_ => _ = ExpireAsync(sandbox), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private async Task ExpireAsync(EmulatedSandbox sandbox)
    {
        try
        {
            if (sandbox.State != "running")
            {
                return;
            }

            if (DateTimeOffset.UtcNow < sandbox.EndAt)
            {
                // A timer may fire a little early, or the lifetime was extended meanwhile.
                ScheduleExpiry(sandbox);
                return;
            }

            if (sandbox.AutoPause)
            {
                await sandbox.Gate.WaitAsync();
                try
                {
                    await sandbox.Local.PauseAsync();
                    sandbox.State = "paused";
                }
                finally
                {
                    sandbox.Gate.Release();
                }
            }
            else
            {
                await RemoveAsync(sandbox);
            }
        }
        catch (SandboxException)
        {
            // The sandbox went away on its own meanwhile.
        }
    }

    private async Task RemoveAsync(EmulatedSandbox sandbox)
    {
        await sandbox.Gate.WaitAsync();
        try
        {
            if (!_sandboxes.TryRemove(sandbox.Id, out _))
            {
                return;
            }

            sandbox.Expiry?.Dispose();
            await sandbox.Local.KillAsync();
            foreach (var process in sandbox.Processes.Values)
            {
                process.Finish(null);
            }
        }
        finally
        {
            sandbox.Gate.Release();
        }
    }

    private async Task<EmulatedSandbox?> SandboxOr404Async(HttpContext context)
    {
        var id = context.Request.RouteValues["sandboxID"]?.ToString() ?? string.Empty;
        if (_sandboxes.TryGetValue(id, out var sandbox))
        {
            return sandbox;
        }

        await WriteJsonAsync(context.Response, 404, ErrorBody(404, $"sandbox \"{id}\" doesn't exist or you don't have access to it"));
        return null;
    }

    private static async Task<JsonObject?> ReadJsonAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || request.ContentType is null)
        {
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The metadata filter as E2B's SDKs write it: URL-encoded <c>key=value</c> pairs joined by <c>&amp;</c>.</summary>
    private static Dictionary<string, string> ParseMetadataQuery(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty, StringComparer.Ordinal);

    private static JsonObject SandboxBody(EmulatedSandbox s) => new()
    {
        ["templateID"] = s.TemplateId,
        ["sandboxID"] = s.Id,
        ["alias"] = s.Alias,
        ["clientID"] = "6532622b",
        ["envdVersion"] = EnvdVersion,
        ["envdAccessToken"] = s.AccessToken,
        ["trafficAccessToken"] = null,
        ["domain"] = null,
    };

    private static JsonObject ListedBody(EmulatedSandbox s) => new()
    {
        ["templateID"] = s.TemplateId,
        ["alias"] = s.Alias,
        ["sandboxID"] = s.Id,
        ["clientID"] = "6532622b",
        ["startedAt"] = s.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["endAt"] = s.EndAt.ToString("O", CultureInfo.InvariantCulture),
        ["cpuCount"] = 2,
        ["memoryMB"] = 512,
        ["diskSizeMB"] = 512,
        ["metadata"] = Labels(s),
        ["state"] = s.State,
        ["envdVersion"] = EnvdVersion,
    };

    private static JsonObject DetailBody(EmulatedSandbox s)
    {
        var body = ListedBody(s);
        body["envdAccessToken"] = s.AccessToken;
        body["allowInternetAccess"] = s.AllowInternetAccess;
        body["domain"] = null;
        body["lifecycle"] = new JsonObject { ["autoResume"] = false, ["onTimeout"] = s.AutoPause ? "pause" : "kill" };
        return body;
    }

    private static JsonObject Labels(EmulatedSandbox s)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in s.Metadata)
        {
            labels[key] = value;
        }

        return labels;
    }

    private static JsonObject SnapshotBody(EmulatedSnapshot s) => new()
    {
        ["snapshotID"] = s.SnapshotId,
        ["names"] = new JsonArray(s.Names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
    };
}
