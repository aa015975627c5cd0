namespace Sandboxes.Http;

/// <summary>Where an API key travels.</summary>
public enum ApiKeyLocation
{
    /// <summary>In a request header.</summary>
    Header,

    /// <summary>In the query string.</summary>
    Query,

    /// <summary>In a cookie.</summary>
    Cookie,
}
