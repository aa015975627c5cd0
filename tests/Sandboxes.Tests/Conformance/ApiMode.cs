namespace Sandboxes.Tests.Conformance;

/// <summary>Which half of the API a conformance fixture drives.</summary>
public enum ApiMode
{
    /// <summary>The synchronous methods, called on the test thread.</summary>
    Sync,

    /// <summary>The asynchronous twins.</summary>
    Async,
}
