using System.Collections.Concurrent;

namespace Sandboxes;

/// <summary>
/// Warnings the library must say once per process, such as running without namespace isolation. They go to
/// <see cref="Handler"/>, which by default writes them to stderr; a host with its own logging replaces it.
/// </summary>
public static class SandboxWarnings
{
    private static readonly ConcurrentDictionary<string, byte> Said = new(StringComparer.Ordinal);

    /// <summary>Receives each warning once; defaults to writing <c>sandboxes: warning: ...</c> to stderr.</summary>
    public static Action<string> Handler { get; set; } = message => Console.Error.WriteLine("sandboxes: warning: " + message);

    /// <summary>Emits <paramref name="message"/> unless a warning with the same key was emitted before in this process.</summary>
    public static void Once(string key, string message)
    {
        if (Said.TryAdd(key, 0))
        {
            Handler(SecretScrubber.Scrub(message));
        }
    }
}
