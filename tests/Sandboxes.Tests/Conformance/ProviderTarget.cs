namespace Sandboxes.Tests.Conformance;

/// <summary>
/// A provider the conformance suite runs against, with whatever must run for it (an emulator behind Prism, a container
/// engine). Started once per test run on first use and stopped at the end of the run.
/// </summary>
public abstract class ProviderTarget
{
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private bool _started;

    /// <summary>A readable name for test listings, for example <c>local</c> or <c>e2b (emulator, prism)</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The registered provider id.</summary>
    public abstract string Provider { get; }

    /// <summary>The NUnit category of the target's tests (the component it needs), or null.</summary>
    public virtual string? Category => null;

    /// <summary>The configuration a client of this target uses (valid once started).</summary>
    public abstract ProviderConfig Config { get; }

    /// <summary>What to create by default (an image for container providers).</summary>
    public virtual CreateSandboxRequest CreateRequest => new();

    /// <summary>True when a URL from PortUrl is reachable from the test process.</summary>
    public virtual bool PortsReachable => true;

    /// <summary>
    /// True when a paused sandbox's files can still be read (its processes are frozen, its filesystem is at hand); false
    /// where pausing saves the whole machine away (E2B), so that file operations are refused with
    /// <see cref="SandboxStateException"/> until it resumes.
    /// </summary>
    public virtual bool FilesReadableWhilePaused => true;

    /// <summary>Starts what the target needs; calls <c>Requires.*</c>, which reports a missing component.</summary>
    protected virtual Task StartCoreAsync() => Task.CompletedTask;

    /// <summary>Stops what <see cref="StartCoreAsync"/> started.</summary>
    protected virtual Task StopCoreAsync() => Task.CompletedTask;

    /// <summary>Starts the target once; later calls return at once.</summary>
    public async Task EnsureStartedAsync()
    {
        await _startLock.WaitAsync();
        try
        {
            if (!_started)
            {
                await StartCoreAsync();
                _started = true;
            }
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Stops the target if it was started.</summary>
    public async Task StopAsync()
    {
        if (_started)
        {
            _started = false;
            await StopCoreAsync();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
