using System.Diagnostics;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// A background command this adapter started, as long as the adapter lives: the open process.Start stream is read to
/// its end event, which tells exactly how the command ended (a signal included, which the command's own files cannot
/// record). Other clients read the files instead.
/// </summary>
internal sealed class BackgroundCommand
{
    private readonly TaskCompletionSource<ProcessEnd?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _endedAfterTicks;

    public BackgroundCommand(string sandboxId, string handleId, int pid, string user, double? timeoutSeconds)
    {
        SandboxId = sandboxId;
        HandleId = handleId;
        Pid = pid;
        User = user;
        TimeoutSeconds = timeoutSeconds;
    }

    public string SandboxId { get; }

    public string HandleId { get; }

    public int Pid { get; }

    public string User { get; }

    public double? TimeoutSeconds { get; }

    /// <summary>How the command ended; null when the stream was lost before its end event.</summary>
    public Task<ProcessEnd?> Ended => _ended.Task;

    /// <summary>The stream pump, awaited when the adapter is disposed.</summary>
    public Task? Pump { get; set; }

    /// <summary>Records the end (once).</summary>
    public void End(ProcessEnd? end)
    {
        if (Interlocked.CompareExchange(ref _endedAfterTicks, Stopwatch.GetElapsedTime(_started).Ticks, 0) == 0)
        {
            _ended.TrySetResult(end);
        }
    }

    /// <summary>True when a kill by signal came at or after the timeout: the timeout killed it.</summary>
    public bool TimedOutBy(ProcessEnd end) =>
        end.Signal is not null && TimeoutSeconds is { } limit
                               && TimeSpan.FromTicks(Interlocked.Read(ref _endedAfterTicks)).TotalSeconds >= limit - 0.05;
}
