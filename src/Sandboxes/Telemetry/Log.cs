using Microsoft.Extensions.Logging;

namespace Sandboxes;

/// <summary>Every log message of the high-level API, generated once (no formatting cost when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Provider {Provider} chosen ({Source}: {Reason})")]
    public static partial void ProviderChosen(ILogger logger, string provider, ProviderSource source, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Provider {Provider} skipped, trying {Next}: {Reason}")]
    public static partial void ProviderSkipped(ILogger logger, string provider, string next, string reason);

    [LoggerMessage(3, LogLevel.Information, "Sandbox {SandboxId} created on {Provider} after failover from {Skipped}")]
    public static partial void FailedOver(ILogger logger, string sandboxId, string provider, string skipped);

    [LoggerMessage(4, LogLevel.Warning, "Retrying {Operation} on {Provider} (attempt {Attempt}) in {Delay}: {Error}")]
    public static partial void Retrying(ILogger logger, string operation, string provider, int attempt, TimeSpan delay, string error);

    [LoggerMessage(5, LogLevel.Warning, "Circuit of provider {Provider} opened for {BreakDuration}")]
    public static partial void CircuitOpened(ILogger logger, string provider, TimeSpan breakDuration);

    [LoggerMessage(6, LogLevel.Information, "Circuit of provider {Provider} half-open: the next call is a probe")]
    public static partial void CircuitHalfOpened(ILogger logger, string provider);

    [LoggerMessage(7, LogLevel.Information, "Circuit of provider {Provider} closed")]
    public static partial void CircuitClosed(ILogger logger, string provider);

    [LoggerMessage(8, LogLevel.Warning, "Creating a sandbox on {Provider} had an unknown outcome ({Error}); looking for it by label {Label}={CreationId}")]
    public static partial void CreationOutcomeUnknown(ILogger logger, string provider, string error, string label, string creationId);

    [LoggerMessage(9, LogLevel.Information, "Sandbox {SandboxId} on {Provider} found by its creation label after an unknown outcome; adopted")]
    public static partial void CreationAdopted(ILogger logger, string sandboxId, string provider);

    [LoggerMessage(10, LogLevel.Warning, "Killed sandbox {SandboxId} on {Provider}: a duplicate or orphan of a creation with an unknown outcome")]
    public static partial void OrphanKilled(ILogger logger, string sandboxId, string provider);

    [LoggerMessage(11, LogLevel.Error, "Could not look for orphans of creation {CreationId} on {Provider} ({Error}); destroy any sandbox labelled {Label}={CreationId}")]
    public static partial void OrphanSweepFailed(ILogger logger, string creationId, string provider, string error, string label);

    [LoggerMessage(12, LogLevel.Debug, "Pool {Pool}: created sandbox {SandboxId} ({Alive} alive)")]
    public static partial void PoolCreated(ILogger logger, string pool, string sandboxId, int alive);

    [LoggerMessage(13, LogLevel.Debug, "Pool {Pool}: discarded sandbox {SandboxId}: {Reason}")]
    public static partial void PoolDiscarded(ILogger logger, string pool, string sandboxId, string reason);

    [LoggerMessage(14, LogLevel.Warning, "Pool {Pool}: {Action} failed: {Error}")]
    public static partial void PoolFailure(ILogger logger, string pool, string action, string error);

    [LoggerMessage(16, LogLevel.Warning, "Could not kill sandbox {SandboxId} after its preset's setup failed: {Error}")]
    public static partial void KillAfterSetupFailed(ILogger logger, string sandboxId, string error);

    [LoggerMessage(15, LogLevel.Debug, "Preset {Preset}: running setup command `{Command}` on {SandboxId}")]
    public static partial void PresetSetup(ILogger logger, string preset, string command, string sandboxId);
}
