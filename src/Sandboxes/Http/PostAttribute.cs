namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP POST of the route template (for example <c>[Post("/sandboxes")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PostAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public PostAttribute(string path)
        : base("POST", path)
    {
    }
}
