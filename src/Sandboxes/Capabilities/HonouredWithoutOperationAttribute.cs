namespace Sandboxes.Providers;

/// <summary>
/// Marks a capability id of <see cref="Capability.Ids"/> that no <see cref="SandboxProvider"/> member carries, and says
/// what honours it instead: a field of a request the adapter reads (<c>CreateSandboxRequest.MemoryMb</c>), or the
/// library building it from other operations. The capability generator accepts a table that calls such a capability
/// native or emulated; for any other id without a member it refuses the table (SBX123), since nothing could do what
/// the table promises.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class HonouredWithoutOperationAttribute(string by) : Attribute
{
    /// <summary>What honours the capability, in a few words (for example <c>CreateSandboxRequest.Envs and RunCommandRequest.Env</c>).</summary>
    public string By { get; } = by;
}
