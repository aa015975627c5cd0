using System.Net.WebSockets;

namespace Sandboxes.Providers.Jupyter;

/// <summary>Where a Jupyter server answers and how to authenticate to it (the token, sent as <c>Authorization: token</c>).</summary>
internal sealed class JupyterEndpoint
{
    private readonly string? _token;

    public JupyterEndpoint(Uri baseUri, string? token)
    {
        // The server's paths are relative to its base URL, which must end with a slash to be combined.
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _token = token;
    }

    /// <summary>The server's base URL, ending with a slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>The token (for tests that hand a started server to another client).</summary>
    internal string? Token => _token;

    /// <summary>True when requests carry a token.</summary>
    public bool HasToken => !string.IsNullOrEmpty(_token);

    /// <summary>The <c>ws://</c> or <c>wss://</c> URL of a server path.</summary>
    public Uri WebSocketUri(string relative)
    {
        var builder = new UriBuilder(new Uri(BaseUri, relative)) { Scheme = BaseUri.Scheme == "https" ? "wss" : "ws" };
        return builder.Uri;
    }

    /// <summary>Adds the token to a WebSocket handshake.</summary>
    public void Authorize(ClientWebSocketOptions options)
    {
        if (HasToken)
        {
            options.SetRequestHeader("Authorization", "token " + _token);
        }
    }

    /// <summary>Adds the token to an HTTP request.</summary>
    public void Authorize(HttpRequestMessage request)
    {
        if (HasToken)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "token " + _token);
        }
    }

    /// <inheritdoc />
    public override string ToString() => BaseUri.ToString();
}
