namespace Sandboxes.Cli;

/// <summary>
/// The tool's exit codes. <c>run</c>, <c>exec</c> and <c>shell</c> exit with the command's own code; the codes below
/// are for the tool's own failures and follow the conventions of <c>timeout(1)</c>, <c>docker run</c> and the shell
/// (128 + signal number for a signal).
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad usage or configuration: unknown option, unknown provider, invalid value, missing credentials.</summary>
    public const int Usage = 2;

    /// <summary>The command outlived its timeout and was killed.</summary>
    public const int Timeout = 124;

    /// <summary>The provider or the sandbox failed (unreachable, refused, not found, not supported); or <c>test</c> found a failing provider.</summary>
    public const int ProviderError = 125;

    /// <summary>The sandbox has no runtime for the code's language (<c>run --file/--lang</c>), as a shell says of a missing command.</summary>
    public const int NoRuntime = 127;

    /// <summary>Hung up (SIGHUP): the terminal went away.</summary>
    public const int HungUp = 129;

    /// <summary>Interrupted by Ctrl-C (SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Quit (SIGQUIT, Ctrl-\).</summary>
    public const int Quit = 131;

    /// <summary>Terminated (SIGTERM).</summary>
    public const int Terminated = 143;
}
