using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>Clients for the high-level tests: isolated from the machine's environment and configuration file.</summary>
internal static class TestClients
{
    /// <summary>Options with no environment, no config file, and this run's private local state directory.</summary>
    public static SandboxClientOptions Isolated(string defaultProvider = "local")
    {
        var options = new SandboxClientOptions { DefaultProvider = defaultProvider, UseConfigFile = false, EnvironmentVariables = _ => null };
        options.ConfigureProvider("local", TestEnvironment.LocalConfig());
        return options;
    }

    /// <summary>A client on the local provider.</summary>
    public static SandboxClient Local(Action<SandboxClientOptions>? configure = null)
    {
        var options = Isolated();
        configure?.Invoke(options);
        return new SandboxClient(options);
    }

    /// <summary>
    /// Options for a fault-injecting provider on a fake clock: client-side timeouts off (a test turns on the one it
    /// studies), 1 s base backoff, breaker off unless a test turns it on.
    /// </summary>
    public static SandboxClientOptions Faulty(string provider, FaultInjectingServer server, FakeTimeProvider clock)
    {
        var options = Isolated(provider);
        options.ConfigureProvider(provider, new ProviderConfig { BaseUrl = server.BaseUrl });
        options.TimeProvider = clock;
        options.Resilience.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        options.Resilience.Timeouts.Attempt = Timeout.InfiniteTimeSpan;
        options.Resilience.Timeouts.Create = Timeout.InfiniteTimeSpan;
        options.Resilience.Timeouts.Operation = Timeout.InfiniteTimeSpan;
        options.Resilience.CircuitBreaker.Enabled = false;
        return options;
    }

    /// <summary>
    /// Runs <paramref name="task"/> to completion, moving the fake clock past every timer it waits on (retry delays);
    /// returns the waits, in order.
    /// </summary>
    public static async Task<List<TimeSpan>> DriveAsync(Task task, FakeTimeProvider clock)
    {
        var waits = new List<TimeSpan>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            var pending = clock.PendingTimers;
            if (pending.Count > 0)
            {
                waits.Add(pending[0]);
                clock.Advance(pending[0] > TimeSpan.Zero ? pending[0] : TimeSpan.Zero);
            }
            else
            {
                await Task.WhenAny(task, Task.Delay(5));
            }
        }

        return waits;
    }
}
