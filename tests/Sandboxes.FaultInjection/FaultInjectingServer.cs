using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sandboxes.FaultInjection;

/// <summary>
/// A minimal sandbox service (create, list by label, get, kill, exec) on Kestrel at 127.0.0.1, in memory, that injects
/// faults on demand: planned ones per operation (<see cref="Plan"/>) and random ones at a rate (<see cref="FaultRate"/>).
/// It counts every request and every command it actually executed, so tests can prove what reached it.
/// </summary>
public sealed class FaultInjectingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly Lock _randomGate = new();
    private Random _random = new(1);
    private int _nextId;

    private FaultInjectingServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The server's base address.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The share of requests (of the operations in <see cref="RandomFaultOperations"/>) failed at random, 0 to 1.</summary>
    public double FaultRate { get; set; }

    /// <summary>Operations the random faults apply to (default: all).</summary>
    public IReadOnlySet<string>? RandomFaultOperations { get; set; }

    /// <summary>The faults chosen at random, in turn.</summary>
    public IReadOnlyList<Fault> RandomFaults { get; set; } = [Fault.Unavailable, new Fault { Status = 502 }, new Fault { Status = 504 }, Fault.RateLimited(0)];

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    public static async Task<FaultInjectingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FaultInjectingServer(app);
        server.Map(app);
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Makes the next requests of <paramref name="operation"/> (create, list, get, kill, exec) fail as given, in order.</summary>
    public void Plan(string operation, params Fault[] faults)
    {
        var queue = _plans.GetOrAdd(operation, _ => new ConcurrentQueue<Fault>());
        foreach (var fault in faults)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>Seeds the random faults, so a run is reproducible.</summary>
    public void Seed(int seed)
    {
        lock (_randomGate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>Requests received for an operation, failed ones included.</summary>
    public int Requests(string operation) => _requests.GetValueOrDefault(operation);

    /// <summary>How many times a command was actually executed.</summary>
    public int Executions(string command) => _executions.GetValueOrDefault(command);

    /// <summary>The sandboxes alive on the server.</summary>
    public IReadOnlyCollection<string> Sandboxes => _sandboxes.Keys.ToList();

    /// <summary>Forgets counters and plans (sandboxes are kept).</summary>
    public void ResetCounters()
    {
        _requests.Clear();
        _executions.Clear();
        _plans.Clear();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/sandboxes", (HttpContext http) => Handle(http, "create", async () =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is not null && _byIdempotencyKey.TryGetValue(key, out var earlier))
            {
                return Results.Json(earlier, statusCode: 201); // the same request again: the same sandbox
            }

            var id = "sbx-" + Interlocked.Increment(ref _nextId);
            var sandbox = new JsonObject
            {
                ["id"] = id, ["labels"] = body["labels"]?.DeepClone() ?? new JsonObject(), ["startedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            };
            _sandboxes[id] = sandbox;
            if (key is not null)
            {
                _byIdempotencyKey[key] = sandbox;
            }

            return Results.Json(sandbox, statusCode: 201);
        }));
        app.MapGet("/sandboxes", (HttpContext http) => Handle(http, "list", () =>
        {
            var wanted = http.Request.Query["label"].Select(l => l!.Split('=', 2)).ToList();
            var matching = _sandboxes.Values.Where(s => wanted.All(w => s["labels"]?[w[0]]?.GetValue<string>() == (w.Length > 1 ? w[1] : string.Empty)));
            return Task.FromResult(Results.Json(new JsonArray(matching.Select(m => (JsonNode)m.DeepClone()).ToArray())));
        }));
        app.MapGet("/sandboxes/{id}", (HttpContext http, string id) => Handle(http, "get", () =>
            Task.FromResult(_sandboxes.TryGetValue(id, out var s) ? Results.Json(s) : Results.Json(new { message = "no such sandbox" }, statusCode: 404))));
        app.MapDelete("/sandboxes/{id}", (HttpContext http, string id) => Handle(http, "kill", () =>
        {
            _sandboxes.TryRemove(id, out _);
            return Task.FromResult(Results.NoContent());
        }));
        app.MapPost("/sandboxes/{id}/exec", (HttpContext http, string id) => Handle(http, "exec", async () =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            var cmd = body?["cmd"]?.GetValue<string>() ?? string.Empty;
            if (!_sandboxes.ContainsKey(id))
            {
                return Results.Json(new { message = "no such sandbox" }, statusCode: 404);
            }

            _executions.AddOrUpdate(cmd, 1, (_, n) => n + 1);
            return Results.Json(new { stdout = cmd + "\n", stderr = string.Empty, exitCode = 0 });
        }));
    }

    private async Task Handle(HttpContext http, string operation, Func<Task<IResult>> work)
    {
        _requests.AddOrUpdate(operation, 1, (_, n) => n + 1);
        var fault = NextFault(operation);
        if (fault is { AfterProcessing: false })
        {
            await Inject(http, fault);
            return;
        }

        var result = await work();
        if (fault is not null)
        {
            await Inject(http, fault);
            return;
        }

        await result.ExecuteAsync(http);
    }

    private Fault? NextFault(string operation)
    {
        if (_plans.TryGetValue(operation, out var queue) && queue.TryDequeue(out var planned))
        {
            return planned;
        }

        if (FaultRate > 0 && (RandomFaultOperations is null || RandomFaultOperations.Contains(operation)))
        {
            lock (_randomGate)
            {
                if (_random.NextDouble() < FaultRate)
                {
                    return RandomFaults[_random.Next(RandomFaults.Count)];
                }
            }
        }

        return null;
    }

    private static async Task Inject(HttpContext http, Fault fault)
    {
        if (fault.Abort)
        {
            http.Abort();
            return;
        }

        if (fault.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        http.Response.StatusCode = fault.Status;
        if (fault.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await http.Response.WriteAsync(JsonSerializer.Serialize(new { message = $"injected fault {fault.Status}" }));
    }
}
