namespace Sandboxes.Emulators;

/// <summary>How an emulator runs.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The API key (or token) the emulator accepts; any other gets the vendor's 401.</summary>
    public string ApiKey { get; init; } = "emulator-key-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// The directory under which the emulator keeps its local sandboxes, each emulator in a subdirectory of its own
    /// (tests pass their private one).
    /// </summary>
    public required string StateDir { get; init; }

    /// <summary>The local provider's isolation (<c>namespaces</c> in CI, <c>auto</c> elsewhere).</summary>
    public string Isolation { get; init; } = "auto";
}
