namespace Sandboxes.Http;

/// <summary>
/// The credentials a generated client fills its security schemes from. <see cref="ApiKey"/> serves every API-key
/// scheme, <see cref="BearerToken"/> every bearer (and OAuth2) scheme, <see cref="Username"/> and <see cref="Password"/>
/// basic authentication; <see cref="SchemeValues"/> gives a value to one named scheme of the spec and wins over the
/// others. Every value is registered with <see cref="SecretScrubber"/>, so it never appears in a message.
/// </summary>
public sealed record ApiCredentials
{
    private readonly string? _apiKey;
    private readonly string? _bearerToken;
    private readonly string? _password;
    private readonly IReadOnlyDictionary<string, string> _schemeValues = new Dictionary<string, string>();

    /// <summary>The value of any API-key scheme (header, query or cookie); null for none.</summary>
    public string? ApiKey
    {
        get => _apiKey;
        init => _apiKey = Registered(value);
    }

    /// <summary>The token of any bearer or OAuth2 scheme, sent as <c>Authorization: Bearer TOKEN</c>; null for none.</summary>
    public string? BearerToken
    {
        get => _bearerToken;
        init => _bearerToken = Registered(value);
    }

    /// <summary>The user name of a basic scheme; null for none.</summary>
    public string? Username { get; init; }

    /// <summary>The password of a basic scheme; null for none.</summary>
    public string? Password
    {
        get => _password;
        init => _password = Registered(value);
    }

    /// <summary>Values for named schemes of the spec (its <c>securitySchemes</c> keys, matched ignoring case).</summary>
    public IReadOnlyDictionary<string, string> SchemeValues
    {
        get => _schemeValues;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var secret in value.Values)
            {
                SecretScrubber.Register(secret);
            }

            _schemeValues = new Dictionary<string, string>(value, StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>Credentials holding only an API key.</summary>
    public static ApiCredentials FromApiKey(string apiKey) => new() { ApiKey = apiKey };

    /// <summary>Credentials holding only a bearer token.</summary>
    public static ApiCredentials FromBearerToken(string token) => new() { BearerToken = token };

    /// <summary>The value for <paramref name="scheme"/>, or null when these credentials have none.</summary>
    public string? ValueFor(ApiSecurityScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        if (_schemeValues.TryGetValue(scheme.Name, out var specific))
        {
            return specific;
        }

        return scheme.Kind switch
        {
            ApiSecuritySchemeKind.ApiKey => ApiKey,
            ApiSecuritySchemeKind.Bearer => BearerToken,
            ApiSecuritySchemeKind.Basic when Username is not null => Convert.ToBase64String(
                System.Text.Encoding.UTF8.GetBytes(Username + ":" + (Password ?? string.Empty))),
            _ => null,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"ApiCredentials {{ ApiKey = {Mask(ApiKey)}, BearerToken = {Mask(BearerToken)}, Username = {Username}, Password = {Mask(Password)} }}";

    private static string? Registered(string? value)
    {
        SecretScrubber.Register(value);
        return value;
    }

    private static string Mask(string? value) => value is null ? "null" : SecretScrubber.Mask;
}
