namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// What stands between a client and a real provider target to lose the answers of creates: a fault-injecting proxy for
/// the HTTP providers, a cancellation that watches the host for the local one. It also sees what the provider really
/// made, and lists what the provider really has, by ways that do not go through the fault.
/// </summary>
public abstract class LostAnswerRig : IAsyncDisposable
{
    /// <summary>The configuration of a client whose creates can lose their answers (valid once started).</summary>
    public abstract ProviderConfig Config { get; }

    /// <summary>Starts what the rig needs; the target is already started.</summary>
    public abstract Task StartAsync();

    /// <summary>Prepares the next create to lose its answer in the given way, and returns the token to create with.</summary>
    public abstract CancellationToken Arm(AnswerLoss loss);

    /// <summary>Ends what <see cref="Arm"/> prepared and returns the ids of the sandboxes the provider made meanwhile.</summary>
    public abstract IReadOnlyList<string> Disarm();

    /// <summary>The sandboxes the provider has, by its own listing (not through the fault), with the labels when given.</summary>
    public abstract Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels);

    /// <summary>What the host still holds of the given sandboxes (processes, state, cgroups); empty where the provider is not on this host.</summary>
    public virtual IReadOnlyList<string> HostLeftovers(IReadOnlyCollection<string> sandboxIds) => [];

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
