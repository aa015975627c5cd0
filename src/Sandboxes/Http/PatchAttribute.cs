namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP PATCH of the route template (for example <c>[Patch("/sandboxes/{sandboxID}")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PatchAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public PatchAttribute(string path)
        : base("PATCH", path)
    {
    }
}
