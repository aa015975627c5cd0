namespace Sandboxes.Providers.E2B.Connect;

/// <summary>Per-call settings of a Connect request: extra headers and the deadline the server is told about.</summary>
internal sealed record ConnectCallOptions
{
    /// <summary>No extra headers and no deadline.</summary>
    public static ConnectCallOptions None { get; } = new();

    /// <summary>Headers added to the call (for example envd's <c>Authorization: Basic</c> naming the user).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Sent as <c>Connect-Timeout-Ms</c>; null sends none. envd uses it as the lifetime of a started process.</summary>
    public TimeSpan? ServerTimeout { get; init; }
}
