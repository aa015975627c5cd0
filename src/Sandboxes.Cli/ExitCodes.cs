namespace Sandboxes.Cli;

/// <summary>
/// The tool's exit codes. <c>run</c> and <c>exec</c> exit with the command's own code; the codes below are for the
/// tool's own failures and follow the conventions of <c>timeout(1)</c> and <c>docker run</c>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad usage or configuration: unknown option, unknown provider, invalid value, missing credentials.</summary>
    public const int Usage = 2;

    /// <summary>The command outlived its timeout and was killed.</summary>
    public const int Timeout = 124;

    /// <summary>The provider or the sandbox failed (unreachable, refused, not found, not supported).</summary>
    public const int ProviderError = 125;

    /// <summary>Interrupted by Ctrl-C.</summary>
    public const int Interrupted = 130;
}
