namespace Sandboxes;

/// <summary>Where the choice of a provider came from, in the order the sources are consulted.</summary>
public enum ProviderSource
{
    /// <summary>Named by the call itself (<see cref="SandboxOptions.Provider"/>, a <c>provider</c> argument, the CLI's <c>-p</c>).</summary>
    Explicit = 0,

    /// <summary>The default set in code (<see cref="SandboxClientOptions.DefaultProvider"/>, <see cref="Sandbox.Configure(Action{SandboxClientOptions})"/>, DI).</summary>
    Configured = 1,

    /// <summary>The <c>SANDBOXES_PROVIDER</c> environment variable.</summary>
    Environment = 2,

    /// <summary>The <c>defaultProvider</c> of the configuration file.</summary>
    ConfigFile = 3,

    /// <summary>The first provider, in detection order, whose credentials are present.</summary>
    AutoDetected = 4,

    /// <summary>No credentials anywhere: the provider that needs none (<c>local</c>).</summary>
    LastResort = 5,

    /// <summary>A provider of the failover chain, used because the ones before it failed.</summary>
    Fallback = 6,
}
