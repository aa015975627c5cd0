using System.Collections.Concurrent;

namespace Sandboxes.CodeExecution;

/// <summary>
/// The interpreter drivers that run code inside a sandbox (<c>Drivers/*</c>, embedded in the assembly). They are plain
/// source files so that they can be read, and run by hand, as what they are.
/// </summary>
internal static class DriverScripts
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>The Python driver (standard library only; IPython and matplotlib are used when the code imports them).</summary>
    public static string Python => Load("python_driver.py");

    /// <summary>The Node.js driver, also used for TypeScript.</summary>
    public static string Node => Load("node_driver.js");

    /// <summary>The persistent bash driver.</summary>
    public static string Bash => Load("bash_driver.sh");

    /// <summary>The Ruby driver.</summary>
    public static string Ruby => Load("ruby_driver.rb");

    private static string Load(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(DriverScripts).Assembly.GetManifestResourceStream("Sandboxes.Drivers." + n)
                           ?? throw new InvalidOperationException($"The driver {n} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    });
}
