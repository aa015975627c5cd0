using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sandboxes.FaultInjection;

namespace Sandboxes.Emulators;

/// <summary>
/// Base of every vendor emulator: Kestrel on a free port of 127.0.0.1, the vendor's authentication enforced, faults
/// injected on demand, and a local-provider client on which the vendor's sandboxes really run. A vendor emulator maps
/// its routes (naming each endpoint with the vendor's operation id, so faults can target it) and its auth check.
/// </summary>
public abstract class VendorEmulator : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Creates the emulator; call <see cref="StartAsync"/>.</summary>
    protected VendorEmulator(EmulatorOptions options)
    {
        Options = options;
        // A state directory of its own under the given one: on disposal it kills every sandbox it lists, which must be
        // only its own, never those of other emulators or local clients sharing the test run's directory.
        var stateDir = Path.Combine(options.StateDir, "emulators", Guid.NewGuid().ToString("N")[..12]);
        Backend = new Sandboxer("local", new ProviderConfig
        {
            Extra = new Dictionary<string, object?> { ["state_dir"] = stateDir, ["isolation"] = options.Isolation },
        });
    }

    /// <summary>The options it runs with.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>Where it listens (<c>http://127.0.0.1:PORT/</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Faults to inject and request counts.</summary>
    public FaultPlan Faults { get; } = new();

    /// <summary>The local provider the vendor's sandboxes run on.</summary>
    protected Sandboxer Backend { get; }

    /// <summary>Starts listening.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        ConfigureServices(builder.Services);
        var app = builder.Build();
        app.UseRouting();
        app.Use(InjectFaultsAsync);
        app.Use(async (context, next) =>
        {
            if (RequiresAuthentication(context) && !IsAuthorized(context.Request))
            {
                await WriteUnauthorizedAsync(context.Response);
                return;
            }

            await next(context);
        });
        MapRoutes(app);
        await app.StartAsync();
        _app = app;
        BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/");
    }

    /// <summary>Adds services the vendor's routes need.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Maps the vendor's routes; name each endpoint with <c>.WithName(operationId)</c>.</summary>
    protected abstract void MapRoutes(IEndpointRouteBuilder routes);

    /// <summary>True when the request carries the vendor's credentials with <see cref="EmulatorOptions.ApiKey"/>.</summary>
    protected abstract bool IsAuthorized(HttpRequest request);

    /// <summary>Writes the vendor's own 401 answer.</summary>
    protected abstract Task WriteUnauthorizedAsync(HttpResponse response);

    /// <summary>Writes an error in the vendor's shape (used for injected faults).</summary>
    protected abstract Task WriteErrorAsync(HttpResponse response, int status, string message);

    /// <summary>False for routes that take no credentials (health checks).</summary>
    protected virtual bool RequiresAuthentication(HttpContext context) => true;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        // Every sandbox the emulator ran is killed with it.
        foreach (var sandbox in await Backend.ListSandboxesAsync())
        {
            await Backend.KillSandboxAsync(sandbox.Id);
        }

        await Backend.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private async Task InjectFaultsAsync(HttpContext context, RequestDelegate next)
    {
        if (Faults.Delay > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Delay, context.RequestAborted);
        }

        var operation = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? context.Request.Path.Value ?? "";
        var fault = Faults.Next(operation);
        if (fault is null)
        {
            await next(context);
            return;
        }

        if (fault.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        if (fault.AfterProcessing)
        {
            // Do the work, then lose the answer: the body the handler wrote is discarded.
            var original = context.Response.Body;
            context.Response.Body = Stream.Null;
            await next(context);
            context.Response.Body = original;
            if (fault.Abort)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
        }
        else if (fault.Abort)
        {
            context.Abort();
            return;
        }

        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(seconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await WriteErrorAsync(context.Response, fault.Status, $"injected fault ({fault.Status})");
    }
}
