namespace Sandboxes.Http;

/// <summary>One security scheme of a spec (<c>components.securitySchemes</c> or <c>securityDefinitions</c>).</summary>
public sealed class ApiSecurityScheme
{
    private ApiSecurityScheme(string name, ApiSecuritySchemeKind kind, ApiKeyLocation location, string parameterName)
    {
        Name = name;
        Kind = kind;
        Location = location;
        ParameterName = parameterName;
    }

    /// <summary>The scheme's key in the spec (for example <c>ApiKeyAuth</c>).</summary>
    public string Name { get; }

    /// <summary>What kind of credential the scheme needs.</summary>
    public ApiSecuritySchemeKind Kind { get; }

    /// <summary>Where an API key goes (header for bearer and basic).</summary>
    public ApiKeyLocation Location { get; }

    /// <summary>The header, query or cookie name (<c>Authorization</c> for bearer and basic).</summary>
    public string ParameterName { get; }

    /// <summary>An API key scheme.</summary>
    public static ApiSecurityScheme ApiKey(string name, ApiKeyLocation location, string parameterName) =>
        new(name, ApiSecuritySchemeKind.ApiKey, location, parameterName);

    /// <summary>A bearer scheme (also used for OAuth2 and OpenID Connect).</summary>
    public static ApiSecurityScheme Bearer(string name) => new(name, ApiSecuritySchemeKind.Bearer, ApiKeyLocation.Header, "Authorization");

    /// <summary>A basic scheme.</summary>
    public static ApiSecurityScheme Basic(string name) => new(name, ApiSecuritySchemeKind.Basic, ApiKeyLocation.Header, "Authorization");

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind}, {Location} {ParameterName})";
}
