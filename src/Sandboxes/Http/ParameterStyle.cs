namespace Sandboxes.Http;

/// <summary>How a query parameter holding an array, a map or an object is written (OpenAPI's <c>style</c>).</summary>
public enum ParameterStyle
{
    /// <summary><c>a=1&amp;a=2</c> when exploded, <c>a=1,2</c> when not; a map explodes into <c>key=value</c> pairs.</summary>
    Form,

    /// <summary><c>a=1%202</c>: array items joined by spaces.</summary>
    SpaceDelimited,

    /// <summary><c>a=1|2</c>: array items joined by pipes.</summary>
    PipeDelimited,

    /// <summary><c>a[key]=value</c> for each member of a map.</summary>
    DeepObject,

    /// <summary><c>a.key=value</c> for each member of a map (a <c>metadata.{key}</c>-style parameter).</summary>
    KeyPrefix,
}
