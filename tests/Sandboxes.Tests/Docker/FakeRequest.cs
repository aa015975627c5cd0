namespace Sandboxes.Tests.Docker;

/// <summary>A request the fake engine received.</summary>
public sealed record FakeRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?')[0];
}
