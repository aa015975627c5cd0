namespace Sandboxes;

/// <summary>
/// A setup command of a preset failed while a sandbox was being prepared. The sandbox was killed; the message names the
/// preset, the command and its exit code, and <see cref="Result"/> keeps its output. Never transient: another provider
/// would run the same command.
/// </summary>
public class SandboxSetupException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="provider">The provider the sandbox ran on.</param>
    /// <param name="preset">The preset whose setup failed.</param>
    /// <param name="command">The command that failed.</param>
    /// <param name="result">Its result (exit code and output), when it ran to completion.</param>
    /// <param name="innerException">The error it raised, when it did not complete.</param>
    public SandboxSetupException(string provider, string preset, string command, CommandResult? result, Exception? innerException = null)
        : base(provider, Describe(preset, command, result, innerException), innerException)
    {
        Preset = preset;
        Command = command;
        Result = result;
    }

    /// <summary>The preset whose setup failed.</summary>
    public string Preset { get; }

    /// <summary>The setup command that failed.</summary>
    public string Command { get; }

    /// <summary>Its result, or null when it raised an error instead of completing.</summary>
    public CommandResult? Result { get; }

    private static string Describe(string preset, string command, CommandResult? result, Exception? error)
    {
        var how = result is not null
            ? $"exited with code {result.ExitCode}" + (string.IsNullOrWhiteSpace(result.Stderr) ? string.Empty : ": " + Tail(result.Stderr))
            : "failed: " + error?.Message;
        return $"Setup of preset '{preset}' failed: `{command}` {how}";
    }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 500 ? trimmed : "..." + trimmed[^500..];
    }
}
