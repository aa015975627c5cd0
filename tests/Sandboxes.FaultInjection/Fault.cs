namespace Sandboxes.FaultInjection;

/// <summary>One failure the server injects into a request.</summary>
public sealed record Fault
{
    /// <summary>The HTTP status to answer with (ignored for <see cref="Abort"/> and <see cref="Hang"/>).</summary>
    public int Status { get; init; } = 503;

    /// <summary>A <c>Retry-After</c> header, in seconds.</summary>
    public double? RetryAfterSeconds { get; init; }

    /// <summary>Reset the connection instead of answering.</summary>
    public bool Abort { get; init; }

    /// <summary>Never answer (until the client gives up).</summary>
    public bool Hang { get; init; }

    /// <summary>Do the work first, then fail: the response is lost, not the request (a 502 from a gateway, a reset after commit).</summary>
    public bool AfterProcessing { get; init; }

    /// <summary>A 503 before any work.</summary>
    public static Fault Unavailable { get; } = new() { Status = 503 };

    /// <summary>A 429 with a <c>Retry-After</c>.</summary>
    public static Fault RateLimited(double retryAfterSeconds) => new() { Status = 429, RetryAfterSeconds = retryAfterSeconds };

    /// <summary>The work is done, then a 502 is returned.</summary>
    public static Fault LostResponse { get; } = new() { Status = 502, AfterProcessing = true };
}
