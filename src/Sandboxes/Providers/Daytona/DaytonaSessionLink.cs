using System.Net.WebSockets;

namespace Sandboxes.Providers.Daytona;

/// <summary>The toolbox calls a <see cref="DaytonaSessionProcess"/> makes about its one session command.</summary>
/// <param name="OpenLogAsync">Opens the command's log, followed from its start, over the toolbox WebSocket.</param>
/// <param name="ExitCodeAsync">The command's exit code, or null while it runs.</param>
/// <param name="SendInputAsync">Sends one input line (the daemon adds the newline).</param>
/// <param name="EndAsync">Deletes the session (best effort).</param>
internal sealed record DaytonaSessionLink(
    Func<CancellationToken, Task<ClientWebSocket>> OpenLogAsync,
    Func<CancellationToken, Task<int?>> ExitCodeAsync,
    Func<string, CancellationToken, Task> SendInputAsync,
    Func<Task> EndAsync);
