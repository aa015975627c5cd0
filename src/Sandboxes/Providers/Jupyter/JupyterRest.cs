using System.Globalization;
using System.Text.Json;
using Sandboxes.Http;
using Sandboxes.Providers.Jupyter.Api;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// The calls the provider makes to the Jupyter Server REST API (kernels, sessions, contents, terminals), through the
/// client the spec compiler generates from the server's own description (<c>specs/jupyter/api.yaml</c>). It returns the
/// small records the provider needs, and turns the server's 400 answers into <see cref="BadConfigException"/>.
/// </summary>
internal sealed class JupyterRest
{
    private readonly HttpClient _http;
    private readonly IJupyterApi _api;

    public JupyterRest(JupyterEndpoint endpoint, HttpClient? http = null)
    {
        // The spec declares no security scheme: the token goes in a header of every request, as the server expects it.
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (endpoint.Token is { Length: > 0 } token)
        {
            headers["Authorization"] = "token " + token;
        }

        _http = ProviderClients.CreateHttpClient(http ?? ProviderClients.SharedHttpClient, endpoint.BaseUri, JupyterProvider.ProviderId, headers: headers);
        _api = Refit.RestService.ForGenerated<IJupyterApi>(_http, ProviderClients.Settings(JupyterJsonContext.Default, JupyterProvider.ProviderId));
    }

    // ---- Kernels ----

    public async Task<IReadOnlyList<JupyterKernel>> ListKernelsAsync(CancellationToken cancellationToken) =>
        (await Call(() => _api.GetApiKernelsAsync(cancellationToken)).ConfigureAwait(false)).Select(ToKernel).ToList();

    public async Task<JupyterKernel?> GetKernelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return ToKernel(await Call(() => _api.GetApiKernelsByKernelIdAsync(id, cancellationToken)).ConfigureAwait(false));
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    public async Task DeleteKernelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _api.DeleteApiKernelsByKernelIdAsync(id, cancellationToken)).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone: killing twice is not an error.
        }
    }

    public Task InterruptKernelAsync(string id, CancellationToken cancellationToken) =>
        Call(() => _api.PostApiKernelsByKernelIdInterruptAsync(id, cancellationToken));

    public Task RestartKernelAsync(string id, CancellationToken cancellationToken) =>
        Call(() => _api.PostApiKernelsByKernelIdRestartAsync(id, cancellationToken));

    // ---- Sessions ----

    public async Task<IReadOnlyList<JupyterSession>> ListSessionsAsync(CancellationToken cancellationToken) =>
        (await Call(() => _api.GetApiSessionsAsync(cancellationToken)).ConfigureAwait(false)).Select(ToSession).ToList();

    public async Task<JupyterSession> CreateSessionAsync(string path, string name, string type, string kernelName, CancellationToken cancellationToken)
    {
        // The kernel's id is left out: the server starts a new kernel of that name for the session.
        var session = new Session { Path = path, Name = name, Type = type, Kernel = new Kernel { Name = kernelName } };
        return ToSession(await Call(() => _api.PostApiSessionsAsync(session, cancellationToken)).ConfigureAwait(false));
    }

    public async Task DeleteSessionAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _api.DeleteApiSessionsBySessionAsync(id, cancellationToken)).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
    }

    // ---- Contents ----

    public async Task<JupyterContent> GetContentAsync(string path, bool content, CancellationToken cancellationToken)
    {
        var model = content
            ? await Call(() => _api.GetApiContentsByPathAsync(path, GetApiContentsByPathType.File.Value, GetApiContentsByPathFormat.Base64.Value, 1, cancellationToken))
                .ConfigureAwait(false)
            : await Call(() => _api.GetApiContentsByPathAsync(path, content: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new JupyterContent(model.Name, model.Path, model.Type.Value, model.Size, Time(model.LastModified),
            content && model.Format == "base64" ? model.Content : null);
    }

    public async Task<IReadOnlyList<JupyterContent>> ListDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        // CUSTOM: the spec types `content` as a string, while a directory's content is an array of models (the spec's
        // own description says so); the listing is therefore read as JSON and its entries taken from there.
        var route = "api/contents/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString)) + "?type=directory&content=1";
        using var listing = await Call(async () =>
        {
            var stream = await _http.GetStreamAsync(route, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        return listing.RootElement.GetProperty("content").EnumerateArray().Select(e => new JupyterContent(
            e.GetProperty("name").GetString() ?? string.Empty,
            e.GetProperty("path").GetString() ?? string.Empty,
            e.TryGetProperty("type", out var type) ? type.GetString() ?? "file" : "file",
            e.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null,
            e.TryGetProperty("last_modified", out var modified) ? Time(modified.GetString()) : null,
            null)).ToList();
    }

    public Task PutFileAsync(string path, byte[] content, CancellationToken cancellationToken) =>
        Call(() => _api.PutApiContentsByPathAsync(path, new PutApiContentsByPathRequest
        {
            Type = "file", Format = "base64", Content = Convert.ToBase64String(content),
        }, cancellationToken));

    public Task PutDirectoryAsync(string path, CancellationToken cancellationToken) =>
        Call(() => _api.PutApiContentsByPathAsync(path, new PutApiContentsByPathRequest { Type = "directory" }, cancellationToken));

    public Task DeleteContentAsync(string path, CancellationToken cancellationToken) =>
        Call(() => _api.DeleteApiContentsByPathAsync(path, cancellationToken));

    // ---- Terminals ----

    public async Task<IReadOnlyList<string>> ListTerminalsAsync(CancellationToken cancellationToken) =>
        (await Call(() => _api.GetApiTerminalsAsync(cancellationToken)).ConfigureAwait(false)).Select(t => t.Name).ToList();

    public async Task<string> CreateTerminalAsync(CancellationToken cancellationToken) =>
        (await Call(() => _api.PostApiTerminalsAsync(cancellationToken)).ConfigureAwait(false)).Name;

    public async Task DeleteTerminalAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _api.DeleteApiTerminalsByTerminalIdAsync(name, cancellationToken)).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
    }

    // ---- Mapping ----

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ProviderException refused) when (refused.StatusCode == 400)
        {
            // The server refuses what was asked of it (a directory read as a file, a file where a directory should be).
            throw new BadConfigException(JupyterProvider.ProviderId, refused.Message, refused);
        }
    }

    private static Task Call(Func<Task> call) => Call(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });

    private static JupyterKernel ToKernel(Kernel kernel) => new(kernel.Id, kernel.Name, kernel.ExecutionState, Time(kernel.LastActivity));

    private static JupyterSession ToSession(Session session) =>
        new(session.Id ?? string.Empty, session.Path ?? string.Empty, session.Name ?? string.Empty, session.Type ?? string.Empty,
            session.Kernel is { } kernel && !string.IsNullOrEmpty(kernel.Id) ? ToKernel(kernel) : null);

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
