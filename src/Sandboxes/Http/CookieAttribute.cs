namespace Sandboxes.Http;

/// <summary>Sends a parameter as the cookie <see cref="Name"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class CookieAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public CookieAttribute(string name) => Name = name;

    /// <summary>The cookie name.</summary>
    public string Name { get; }
}
