namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP DELETE of the route template (for example <c>[Delete("/sandboxes/{sandboxID}")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class DeleteAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public DeleteAttribute(string path)
        : base("DELETE", path)
    {
    }
}
