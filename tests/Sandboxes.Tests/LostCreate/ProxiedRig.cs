using System.Text.Json.Nodes;
using Sandboxes.FaultInjection;

namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// An HTTP provider with a <see cref="FaultInjectingProxy"/> in front: the request that makes a sandbox is forwarded,
/// the target makes it, and the proxy then replaces the answer with a 502 or resets the connection. The answers it kept
/// back tell which sandboxes were made; listings go to the target directly.
/// </summary>
public abstract class ProxiedRig : LostAnswerRig
{
    private FaultInjectingProxy? _proxy;
    private Sandboxer? _direct;
    private int _lostBefore;

    /// <summary>The provider id.</summary>
    protected abstract string Provider { get; }

    /// <summary>The method of the request that makes a sandbox.</summary>
    protected virtual string CreateMethod => "POST";

    /// <summary>A regular expression matching the path of the request that makes a sandbox.</summary>
    protected abstract string CreatePath { get; }

    /// <summary>The configuration that reaches the target directly.</summary>
    protected abstract ProviderConfig DirectConfig { get; }

    /// <summary>The proxy.</summary>
    protected FaultInjectingProxy Proxy => _proxy ?? throw new InvalidOperationException("The rig is not started.");

    /// <inheritdoc />
    public override ProviderConfig Config => Through(Proxy);

    /// <inheritdoc />
    public override async Task StartAsync()
    {
        _proxy = FaultInjectingProxy.Start(await UpstreamAsync());
        _direct = new Sandboxer(Provider, DirectConfig);
    }

    /// <inheritdoc />
    public override CancellationToken Arm(AnswerLoss loss)
    {
        _lostBefore = Proxy.LostAnswers.Count;
        var fault = loss switch
        {
            AnswerLoss.ErrorInstead => Fault.LostResponse,
            AnswerLoss.ConnectionDropped => new Fault { Abort = true, AfterProcessing = true },
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "A proxy loses answers on the wire."),
        };
        Proxy.Plan(CreateMethod, CreatePath, fault);
        return CancellationToken.None;
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Disarm() =>
        Proxy.LostAnswers.Skip(_lostBefore).Where(a => a.Status is >= 200 and < 300).Select(a => SandboxIdOf(JsonNode.Parse(a.Body)!)).ToList();

    /// <inheritdoc />
    public override async Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels) =>
        await _direct!.ListSandboxesAsync(new ListSandboxesFilter { Labels = labels });

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_direct is not null)
        {
            await _direct.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await StopUpstreamAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Where the proxy forwards to (started if the rig owns it).</summary>
    protected abstract Task<Uri> UpstreamAsync();

    /// <summary>Stops what <see cref="UpstreamAsync"/> started.</summary>
    protected virtual Task StopUpstreamAsync() => Task.CompletedTask;

    /// <summary>The configuration of a client that goes through <paramref name="proxy"/>.</summary>
    protected abstract ProviderConfig Through(FaultInjectingProxy proxy);

    /// <summary>The sandbox's id in the target's answer to the create.</summary>
    protected abstract string SandboxIdOf(JsonNode answer);
}
