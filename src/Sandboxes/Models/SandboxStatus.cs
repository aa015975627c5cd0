namespace Sandboxes;

/// <summary>
/// The state of a sandbox. An extensible value: a provider may report a state of its own, which survives unchanged.
/// </summary>
public readonly struct SandboxStatus : IEquatable<SandboxStatus>
{
    private readonly string? _value;

    /// <summary>Creates a status from its name.</summary>
    public SandboxStatus(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>Being created or started.</summary>
    public static SandboxStatus Starting { get; } = new("starting");

    /// <summary>Running and usable.</summary>
    public static SandboxStatus Running { get; } = new("running");

    /// <summary>Paused: processes frozen, nothing lost; resume to use it.</summary>
    public static SandboxStatus Paused { get; } = new("paused");

    /// <summary>Stopped or gone: its processes no longer run.</summary>
    public static SandboxStatus Stopped { get; } = new("stopped");

    /// <summary>Failed.</summary>
    public static SandboxStatus Error { get; } = new("error");

    /// <summary>The status name in lower case, for example <c>running</c>.</summary>
    public string Value => _value ?? "unknown";

    /// <summary>Converts a status name to a status.</summary>
    public static implicit operator SandboxStatus(string value) => new(value);

    /// <summary>Compares by name, ignoring case.</summary>
    public static bool operator ==(SandboxStatus left, SandboxStatus right) => left.Equals(right);

    /// <summary>Compares by name, ignoring case.</summary>
    public static bool operator !=(SandboxStatus left, SandboxStatus right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(SandboxStatus other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SandboxStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
