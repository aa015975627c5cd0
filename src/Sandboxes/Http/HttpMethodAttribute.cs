namespace Sandboxes.Http;

/// <summary>
/// The route of an API method: its HTTP method and path template. Placeholders such as <c>{sandboxID}</c> are filled from
/// the method's parameters (matched by name or <see cref="AliasAsAttribute"/>). Generated clients carry these attributes
/// so that a reader sees the wire shape of every call; the generated implementation does not read them at run time.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public abstract class HttpMethodAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="method">The HTTP method, upper case.</param>
    /// <param name="path">The route template relative to the client's base address.</param>
    protected HttpMethodAttribute(string method, string path)
    {
        Method = method;
        Path = path;
    }

    /// <summary>The HTTP method, upper case (for example <c>GET</c>).</summary>
    public string Method { get; }

    /// <summary>The route template, as the vendor's specification writes it.</summary>
    public string Path { get; }
}
