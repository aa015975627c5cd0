namespace Sandboxes.Providers.Docker;

/// <summary>
/// The labels the adapter puts on containers and snapshot images. Keys under <see cref="Prefix"/> are its own
/// bookkeeping and never appear in a sandbox's metadata; every other label is the user's.
/// </summary>
internal static class DockerLabels
{
    /// <summary>Prefix of the adapter's own labels.</summary>
    public const string Prefix = "sandboxes.docker.";

    /// <summary>Marks a container as a sandbox (value <c>1</c>); only such containers are listed, attached or killed.</summary>
    public const string Sandbox = Prefix + "sandbox";

    /// <summary>
    /// The sandbox's lifetime in seconds from the container's start (when its keep-alive starts sleeping); empty for none.
    /// A duration rather than a date, because the start time is known only once the container has started.
    /// </summary>
    public const string Lifetime = Prefix + "lifetime";

    /// <summary>The image or template the sandbox was created from, as the caller named it.</summary>
    public const string Template = Prefix + "template";

    /// <summary>
    /// A nonce unique to one create call: when the engine does not answer a create, the container it may have made all the
    /// same is found by this label and removed.
    /// </summary>
    public const string Creation = Prefix + "creation";

    /// <summary>The process that created the sandbox (see <see cref="Internal.CreatorProcess"/>).</summary>
    public const string Creator = Prefix + "creator";

    /// <summary><c>1</c> when the sandbox outlives its creator; otherwise a later client removes it once its creator has ended.</summary>
    public const string Keep = Prefix + "keep";

    /// <summary>On a snapshot image: its id (also its tag).</summary>
    public const string Snapshot = Prefix + "snapshot";

    /// <summary>On a snapshot image: the name it was given.</summary>
    public const string SnapshotName = Prefix + "snapshot-name";

    /// <summary>On a snapshot image: the sandbox it was taken from.</summary>
    public const string SnapshotSource = Prefix + "snapshot-source";

    /// <summary>The user's labels: everything but the adapter's own.</summary>
    public static Dictionary<string, string> UserLabels(IReadOnlyDictionary<string, string>? labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                result[key] = value;
            }
        }

        return result;
    }
}
