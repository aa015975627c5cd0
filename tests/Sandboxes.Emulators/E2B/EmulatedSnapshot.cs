namespace Sandboxes.Emulators.E2B;

/// <summary>A snapshot: a template E2B made from a sandbox, held as a local snapshot.</summary>
/// <param name="SnapshotId">E2B's id (template id and tag).</param>
/// <param name="Names">Its full names (team slug, name and tag).</param>
/// <param name="SandboxId">The sandbox it was taken from.</param>
/// <param name="LocalId">The local snapshot.</param>
internal sealed record EmulatedSnapshot(string SnapshotId, IReadOnlyList<string> Names, string SandboxId, string LocalId);
