namespace Sandboxes.Isolation;

/// <summary>A process as the host's /proc shows it.</summary>
/// <param name="HostPid">Its pid on the host.</param>
/// <param name="SandboxPid">Its pid inside the sandbox's pid namespace (the host pid in process isolation).</param>
/// <param name="ParentHostPid">Its parent's host pid.</param>
/// <param name="Uid">Its real uid as seen inside the sandbox.</param>
/// <param name="State">Its state letter (R, S, T, Z...).</param>
/// <param name="CommandLine">Its command line, arguments joined by spaces.</param>
internal sealed record HostProcess(int HostPid, int SandboxPid, int ParentHostPid, int Uid, char State, string CommandLine);
