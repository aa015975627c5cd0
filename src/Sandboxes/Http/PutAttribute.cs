namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP PUT of the route template (for example <c>[Put("/sandboxes/{sandboxID}")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PutAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public PutAttribute(string path)
        : base("PUT", path)
    {
    }
}
