using System.Collections.Concurrent;

namespace Sandboxes;

/// <summary>
/// The registry of presets: the built-in ones (bespoke's list: <c>claude-code</c>, <c>codex</c>, <c>python-data-science</c>,
/// <c>python-ml</c>, <c>node</c>, <c>web-dev</c>, <c>empty</c>) and those registered with <see cref="Register"/>
/// (or <see cref="Sandbox.RegisterPreset"/>). Presets that install with npm or pip ask for
/// <see cref="NetworkPolicy.Internet"/> (where the provider lets it be chosen) and need those tools in the image.
/// </summary>
public static class SandboxPresets
{
    private static readonly ConcurrentDictionary<string, SandboxPreset> Presets = new(
        BuiltIn().Select(p => new KeyValuePair<string, SandboxPreset>(p.Name, p)), StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of every preset, sorted.</summary>
    public static IReadOnlyList<string> Names => Presets.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Registers a preset, replacing one of the same name (built-in ones included).</summary>
    /// <exception cref="ArgumentException">The name is empty or a setup command is blank.</exception>
    public static void Register(SandboxPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentException.ThrowIfNullOrWhiteSpace(preset.Name, nameof(preset));
        if (preset.SetupCommands is null || preset.SetupCommands.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Preset '{preset.Name}' has a blank setup command.", nameof(preset));
        }

        if (preset.SetupCommandTimeoutSeconds is <= 0 or double.NaN)
        {
            throw new ArgumentException($"Preset '{preset.Name}' needs a positive SetupCommandTimeoutSeconds.", nameof(preset));
        }

        Presets[preset.Name.Trim()] = preset;
    }

    /// <summary>Removes a registered preset; returns false when there was none of that name.</summary>
    public static bool Unregister(string name) => Presets.TryRemove(name, out _);

    /// <summary>Finds a preset by name.</summary>
    /// <exception cref="BadConfigException">No preset has that name; the message lists the known ones.</exception>
    public static SandboxPreset Get(string name)
    {
        if (!string.IsNullOrWhiteSpace(name) && Presets.TryGetValue(name.Trim(), out var preset))
        {
            return preset;
        }

        throw new BadConfigException(string.Empty, $"Unknown preset '{name}'. Known presets: {string.Join(", ", Names)}.");
    }

    private static IEnumerable<SandboxPreset> BuiltIn()
    {
        const int halfHour = 30 * 60;
        yield return new SandboxPreset("claude-code")
        {
            Description = "Claude Code (@anthropic-ai/claude-code) installed with npm; needs node and npm in the image.",
            Network = NetworkPolicy.Internet,
            SetupCommands = ["npm install -g @anthropic-ai/claude-code"], MemoryMb = 2048, TimeoutSeconds = halfHour,
        };
        yield return new SandboxPreset("codex")
        {
            Description = "OpenAI Codex CLI (@openai/codex) installed with npm; needs node and npm in the image.",
            Network = NetworkPolicy.Internet,
            SetupCommands = ["npm install -g @openai/codex"], MemoryMb = 2048, TimeoutSeconds = halfHour,
        };
        yield return new SandboxPreset("python-data-science")
        {
            Description = "numpy, pandas, matplotlib and scikit-learn installed with pip.",
            Network = NetworkPolicy.Internet,
            SetupCommands = ["python3 -m pip install --quiet --disable-pip-version-check numpy pandas matplotlib scikit-learn"], MemoryMb = 2048,
        };
        yield return new SandboxPreset("python-ml")
        {
            Description = "torch, transformers, datasets and accelerate installed with pip.",
            Network = NetworkPolicy.Internet,
            SetupCommands = ["python3 -m pip install --quiet --disable-pip-version-check torch transformers datasets accelerate"],
            Cpus = 2, MemoryMb = 4096, TimeoutSeconds = halfHour,
        };
        yield return new SandboxPreset("node")
        {
            Description = "Checks that node and npm are present.",
            SetupCommands = ["node --version", "npm --version"],
        };
        yield return new SandboxPreset("web-dev")
        {
            Description = "typescript, ts-node, prettier and eslint installed with npm; needs node and npm in the image.",
            Network = NetworkPolicy.Internet,
            SetupCommands = ["npm install -g typescript ts-node prettier eslint"], MemoryMb = 2048,
        };
        yield return new SandboxPreset("empty") { Description = "Nothing installed; the provider's defaults." };
    }
}
