namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP GET of the route template (for example <c>[Get("/sandboxes/{sandboxID}")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class GetAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public GetAttribute(string path)
        : base("GET", path)
    {
    }
}
