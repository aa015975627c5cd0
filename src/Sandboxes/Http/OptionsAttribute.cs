namespace Sandboxes.Http;

/// <summary>Marks an API method as an HTTP OPTIONS of the route template (for example <c>[Options("/sandboxes")]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class OptionsAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute for <paramref name="path"/>, a route template relative to the client's base address.</summary>
    public OptionsAttribute(string path)
        : base("OPTIONS", path)
    {
    }
}
