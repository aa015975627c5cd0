namespace Sandboxes.FaultInjection;

/// <summary>
/// An answer <see cref="FaultInjectingProxy"/> received from upstream and never passed on: what was asked, and what the
/// target said (so a test can tell what the target did, a sandbox's id for example, though the client never heard it).
/// </summary>
/// <param name="Method">The request's method.</param>
/// <param name="Path">The request's path, without its query.</param>
/// <param name="Status">The status the target answered with.</param>
/// <param name="Body">The body it answered with (decoded from chunks, as UTF-8 text).</param>
/// <param name="Fault">The fault that took the answer's place.</param>
public sealed record LostAnswer(string Method, string Path, int Status, string Body, Fault Fault);
