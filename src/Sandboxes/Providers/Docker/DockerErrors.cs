namespace Sandboxes.Providers.Docker;

/// <summary>Turns the engine's answers about a container into the library's typed errors for that sandbox.</summary>
internal static class DockerErrors
{
    /// <summary>True when an engine's 404 is about the container itself (not a file or image inside the request).</summary>
    public static bool IsMissingContainer(SandboxException error) =>
        error is NotFoundException && (error.Message.Contains("no such container", StringComparison.OrdinalIgnoreCase)
                                       || error.Message.Contains("no container with", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Maps an error from a call on sandbox <paramref name="sandboxId"/>: a missing container is <see cref="NotFoundException"/>
    /// naming the sandbox; a 409 about a paused or stopped container is <see cref="SandboxStateException"/>. Anything
    /// else is returned unchanged.
    /// </summary>
    public static SandboxException ForSandbox(SandboxException error, string sandboxId)
    {
        if (IsMissingContainer(error))
        {
            return new NotFoundException(DockerProvider.ProviderId, $"No docker sandbox has the id '{sandboxId}' (its container is gone).", error);
        }

        if (error is ProviderException { StatusCode: 409 } conflict)
        {
            if (conflict.Message.Contains("paused", StringComparison.OrdinalIgnoreCase))
            {
                return new SandboxStateException(DockerProvider.ProviderId, sandboxId, SandboxStatus.Paused,
                    $"Sandbox {Short(sandboxId)} is paused: resume it first.");
            }

            if (conflict.Message.Contains("not running", StringComparison.OrdinalIgnoreCase)
                || conflict.Message.Contains("stopped", StringComparison.OrdinalIgnoreCase))
            {
                return new SandboxStateException(DockerProvider.ProviderId, sandboxId, SandboxStatus.Stopped,
                    $"Sandbox {Short(sandboxId)} is not running (its keep-alive process ended); create a new one.");
            }
        }

        return error;
    }

    /// <summary>The first 12 characters of a container id, as the engine's own tools show it.</summary>
    public static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
