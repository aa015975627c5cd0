using System.Net.WebSockets;
using Sandboxes.Isolation;
using Sandboxes.Providers.Daytona.Toolbox;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// The kit's launch primitive on Daytona: a toolbox session of its own per process, one asynchronous command in it
/// running the program under <see cref="SessionFrame"/>, its log followed over the WebSocket. The toolbox takes no
/// per-command user, so processes run as the sandbox's user.
/// </summary>
internal sealed partial class DaytonaProvider
{
    protected override async Task<RemoteProcess> LaunchAsync(string sandboxId, ProcessLaunch launch, CancellationToken cancellationToken)
    {
        var cwd = string.IsNullOrEmpty(launch.Cwd) ? null : await ResolveAsync(sandboxId, launch.Cwd, cancellationToken).ConfigureAwait(false);
        var session = "sbx-" + NewNonce();
        await InSandboxAsync(sandboxId, toolbox => toolbox.CreateSessionAsync(new CreateSessionRequest { SessionId = session }, cancellationToken),
            notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        string commandId;
        try
        {
            var started = await InSandboxAsync(sandboxId, toolbox => toolbox.SessionExecuteCommandAsync(session, new SessionExecuteRequest
            {
                Command = SessionFrame.Build(launch, cwd),
                RunAsync = true,
                // The input lines are base64 for the frame, not output: the daemon must not echo them into the log.
                SuppressInputEcho = true,
            }, cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
            commandId = started.CmdId;
        }
        catch
        {
            await DeleteSessionAsync(sandboxId, session).ConfigureAwait(false);
            throw;
        }

        return new DaytonaSessionProcess(new DaytonaSessionLink(
            token => OpenLogAsync(sandboxId, session, commandId, token),
            async token => (int?)(await InSandboxAsync(sandboxId, toolbox => toolbox.GetSessionCommandAsync(session, commandId, token),
                notFoundIsAnswer: false, token).ConfigureAwait(false)).ExitCode,
            (line, token) => InSandboxAsync(sandboxId, toolbox => toolbox.SendInputAsync(session, commandId, new SessionSendInputRequest { Data = line }, token),
                notFoundIsAnswer: false, token),
            () => DeleteSessionAsync(sandboxId, session)), launch.Stdin);
    }

    protected override async Task ValidateCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        foreach (var name in (request.Env ?? new Dictionary<string, string>()).Keys)
        {
            if (!ShellQuote.IsVariableName(name))
            {
                throw new BadConfigException(ProviderId, $"'{name}' is not a valid environment variable name.");
            }
        }

        if (!string.IsNullOrEmpty(request.Cwd))
        {
            var absolute = await ResolveAsync(sandboxId, request.Cwd, cancellationToken).ConfigureAwait(false);
            if (!await IsDirectoryAsync(sandboxId, absolute, cancellationToken).ConfigureAwait(false))
            {
                throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{request.Cwd}' is not a directory in the sandbox.");
            }
        }
    }

    private async Task<ClientWebSocket> OpenLogAsync(string sandboxId, string session, string commandId, CancellationToken cancellationToken)
    {
        var toolbox = await ToolboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var uri = toolbox.WebSocketUri($"/process/session/{Uri.EscapeDataString(session)}/command/{Uri.EscapeDataString(commandId)}/logs?follow=true");
        var socket = new ClientWebSocket();
        try
        {
            foreach (var (name, value) in toolbox.Headers)
            {
                socket.Options.SetRequestHeader(name, value);
            }

            await ConnectAsync(socket, uri, sandboxId, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a session; failures are ignored (the session holds only an idle shell, which ends with the sandbox).</summary>
    private async Task DeleteSessionAsync(string sandboxId, string session)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await InSandboxAsync(sandboxId, toolbox => toolbox.DeleteSessionAsync(session, timeout.Token), notFoundIsAnswer: true, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (error is SandboxException or OperationCanceledException)
        {
        }
    }

    /// <summary>Opens a toolbox WebSocket; a refused upgrade is diagnosed like any failed toolbox call.</summary>
    private async Task ConnectAsync(ClientWebSocket socket, Uri uri, string sandboxId, CancellationToken cancellationToken)
    {
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            var status = (int)socket.HttpStatusCode;
            SandboxException error = status switch
            {
                401 or 403 => new UnauthorizedException(ProviderId, $"HTTP {status}: the toolbox refused the WebSocket {uri.AbsolutePath}.", e),
                404 => new NotFoundException(ProviderId, $"HTTP 404: the toolbox has no {uri.AbsolutePath}.", e),
                _ => new ProviderException(ProviderId, $"The toolbox WebSocket {uri.AbsolutePath} could not be opened (HTTP {status}).",
                    status == 0 ? null : status, innerException: e),
            };
            throw await DiagnoseAsync(sandboxId, error, cancellationToken).ConfigureAwait(false);
        }
    }
}
