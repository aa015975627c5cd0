namespace Sandboxes;

/// <summary>
/// Client-side time limits on provider calls, so that a provider that stops answering can never hang the caller.
/// Commands are bounded by their own <see cref="RunCommandRequest.TimeoutSeconds"/> (plus <see cref="CommandGrace"/>),
/// never by <see cref="Attempt"/>, so a long build is not cut short.
/// </summary>
public sealed class SandboxTimeoutOptions
{
    private TimeSpan _attempt = TimeSpan.FromSeconds(30);
    private TimeSpan _create = TimeSpan.FromMinutes(3);
    private TimeSpan _operation = TimeSpan.FromMinutes(5);
    private TimeSpan _commandGrace = TimeSpan.FromSeconds(30);
    private bool _frozen;

    /// <summary>The limit on one call (one attempt) of a quick operation: describe, list, kill, file metadata. Default 30 s.</summary>
    public TimeSpan Attempt
    {
        get => _attempt;
        set { Guard(); _attempt = OptionsGuard.Positive(value, nameof(Attempt)); }
    }

    /// <summary>The limit on one attempt to create a sandbox (providers may take a while to boot one). Default 3 min.</summary>
    public TimeSpan Create
    {
        get => _create;
        set { Guard(); _create = OptionsGuard.Positive(value, nameof(Create)); }
    }

    /// <summary>The limit on a whole operation, retries and their delays included (commands and transfers excepted). Default 5 min.</summary>
    public TimeSpan Operation
    {
        get => _operation;
        set { Guard(); _operation = OptionsGuard.Positive(value, nameof(Operation)); }
    }

    /// <summary>
    /// How long past a command's own timeout the client waits for the provider to report it, before giving up on a
    /// provider that stopped answering (instead of waiting forever). Default 30 s.
    /// </summary>
    public TimeSpan CommandGrace
    {
        get => _commandGrace;
        set { Guard(); _commandGrace = OptionsGuard.NonNegative(value, nameof(CommandGrace)); }
    }

    internal void Freeze() => _frozen = true;

    internal SandboxTimeoutOptions Clone() => new()
    {
        _attempt = _attempt, _create = _create, _operation = _operation, _commandGrace = _commandGrace,
    };

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxTimeoutOptions));
}
