namespace Sandboxes.Http;

/// <summary>Sends a parameter as the request body with the given media type.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class BodyAttribute : Attribute
{
    /// <summary>Creates the attribute for a JSON body.</summary>
    public BodyAttribute()
        : this("application/json")
    {
    }

    /// <summary>Creates the attribute for a body of <paramref name="contentType"/>.</summary>
    public BodyAttribute(string contentType) => ContentType = contentType;

    /// <summary>The media type of the body (for example <c>application/json</c> or <c>application/octet-stream</c>).</summary>
    public string ContentType { get; }
}
