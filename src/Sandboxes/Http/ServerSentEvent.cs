namespace Sandboxes.Http;

/// <summary>One event of a <c>text/event-stream</c> response.</summary>
/// <param name="Event">The event type (<c>event:</c> field), or null for the default <c>message</c>.</param>
/// <param name="Data">The data lines joined by newlines.</param>
/// <param name="Id">The last event id (<c>id:</c> field), or null.</param>
/// <param name="Retry">The reconnection time the server asked for (<c>retry:</c> field), or null.</param>
public sealed record ServerSentEvent(string? Event, string Data, string? Id, TimeSpan? Retry);
