namespace Sandboxes.Http;

/// <summary>The kinds of security scheme a generated client can fill from <see cref="ApiCredentials"/>.</summary>
public enum ApiSecuritySchemeKind
{
    /// <summary>An API key in a header, the query string or a cookie.</summary>
    ApiKey,

    /// <summary><c>Authorization: Bearer TOKEN</c> (HTTP bearer, OAuth2 and OpenID Connect schemes).</summary>
    Bearer,

    /// <summary><c>Authorization: Basic BASE64(user:password)</c>.</summary>
    Basic,
}
