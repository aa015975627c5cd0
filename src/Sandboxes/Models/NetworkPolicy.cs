namespace Sandboxes;

/// <summary>What network a sandbox may reach.</summary>
public enum NetworkPolicy
{
    /// <summary>Loopback inside the sandbox only: no internet, no services of the host. The default.</summary>
    None = 0,

    /// <summary>Outbound internet access, but not the host's loopback services (where the provider can separate them).</summary>
    Internet = 1,

    /// <summary>The host's network as it is, host loopback included. An explicit opt-in.</summary>
    All = 2,
}
