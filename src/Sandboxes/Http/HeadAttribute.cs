namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP HEAD of the route template (for example <c>[Head("/files/{path}")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class HeadAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public HeadAttribute(string path)
        : base("HEAD", path)
    {
    }
}
