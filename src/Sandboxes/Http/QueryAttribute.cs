namespace Sandboxes.Http;

/// <summary>Sends a parameter in the query string, serialized in the given <see cref="Style"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class QueryAttribute : Attribute
{
    /// <summary>Creates the attribute with the OpenAPI default: <see cref="ParameterStyle.Form"/>, exploded.</summary>
    public QueryAttribute()
    {
    }

    /// <summary>Creates the attribute with an explicit style.</summary>
    public QueryAttribute(ParameterStyle style, bool explode = true)
    {
        Style = style;
        Explode = explode;
    }

    /// <summary>How arrays and objects are written (default <see cref="ParameterStyle.Form"/>).</summary>
    public ParameterStyle Style { get; } = ParameterStyle.Form;

    /// <summary>Whether each array item or object member becomes its own pair (default true).</summary>
    public bool Explode { get; } = true;
}
