namespace Sandboxes.Emulators.Daytona;

/// <summary>A command run in an emulated toolbox session, with the files the daemon keeps for it inside the sandbox.</summary>
internal sealed class EmulatedCommand
{
    public required string Id { get; init; }

    public required string Command { get; init; }

    public required string Dir { get; init; }

    public bool SuppressInputEcho { get; init; }

    public string LogPath => Dir + "/output.log";

    public string ExitCodePath => Dir + "/exit_code";

    public string InputPath => Dir + "/input.pipe";

    public string CommandPath => Dir + "/cmd.sh";

    /// <summary>The exit code, once read from <see cref="ExitCodePath"/>.</summary>
    public int? ExitCode { get; set; }
}
