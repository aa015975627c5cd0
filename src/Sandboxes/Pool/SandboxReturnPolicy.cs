namespace Sandboxes;

/// <summary>What a <see cref="SandboxPool"/> does with a sandbox whose lease ends.</summary>
public enum SandboxReturnPolicy
{
    /// <summary>Kill it and create a fresh one in the background (the next user sees nothing of the last). The default.</summary>
    Discard = 0,

    /// <summary>Run <see cref="SandboxPoolOptions.ResetCommands"/> and keep it; discard it if a reset command fails.</summary>
    Reset = 1,

    /// <summary>Keep it as it is (for trusted, stateless work).</summary>
    Reuse = 2,
}
