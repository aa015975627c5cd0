namespace Sandboxes.Http;

/// <summary>
/// Fills a route placeholder. Values are percent-escaped; a <see cref="CatchAll"/> parameter keeps its slashes, so
/// <c>dir/a b.txt</c> becomes <c>dir/a%20b.txt</c> rather than <c>dir%2Fa%20b.txt</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class PathAttribute : Attribute
{
    /// <summary>True when the value is a slash-separated path whose slashes are sent as they are.</summary>
    public bool CatchAll { get; init; }
}
