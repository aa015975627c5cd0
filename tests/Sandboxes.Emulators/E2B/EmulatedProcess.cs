using System.Threading.Channels;
using Sandboxes.Emulators.E2B.Rpc.Process;

namespace Sandboxes.Emulators.E2B;

/// <summary>
/// A process the emulated envd started, running in the local sandbox (a background command, or a terminal). Its
/// output is read once and fanned out to every stream attached to it: the process.Start that started it and any
/// process.Connect. Like envd, a stream attached later sees output from then on only, and the process outlives every
/// stream.
/// </summary>
internal sealed class EmulatedProcess
{
    private readonly Lock _gate = new();
    private readonly List<Channel<ProcessEvent>> _subscribers = [];
    private ProcessEvent? _end;
    private bool _finished;

    public EmulatedProcess(uint pid, ProcessConfig config, string? tag, string? handleId, PtySession? pty, bool stdinOpen)
    {
        Pid = pid;
        Config = config;
        Tag = tag;
        HandleId = handleId;
        Pty = pty;
        StdinOpen = stdinOpen;
    }

    public uint Pid { get; }

    public ProcessConfig Config { get; }

    public string? Tag { get; }

    /// <summary>The local provider's handle of a command (null for a terminal).</summary>
    public string? HandleId { get; }

    /// <summary>The local terminal (null for a command).</summary>
    public PtySession? Pty { get; }

    /// <summary>True while stdin can be written.</summary>
    public bool StdinOpen { get; set; }

    /// <summary>envd's deadline for the process (Connect-Timeout-Ms), if any.</summary>
    public Timer? Deadline { get; set; }

    /// <summary>Attaches a stream: it receives what the process produces from now on, then its end.</summary>
    public ChannelReader<ProcessEvent> Subscribe()
    {
        var channel = Channel.CreateUnbounded<ProcessEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_finished)
            {
                if (_end is not null)
                {
                    channel.Writer.TryWrite(_end);
                    channel.Writer.TryComplete();
                }
                else
                {
                    channel.Writer.TryComplete(new IOException("The sandbox went away."));
                }
            }
            else
            {
                _subscribers.Add(channel);
            }
        }

        return channel.Reader;
    }

    /// <summary>Detaches a stream whose client went away.</summary>
    public void Unsubscribe(ChannelReader<ProcessEvent> reader)
    {
        lock (_gate)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
        }
    }

    /// <summary>Sends an event to every attached stream.</summary>
    public void Publish(ProcessEvent e)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>Ends every stream with the end event, or, when the sandbox itself went away, by breaking them off.</summary>
    public void Finish(ProcessEvent? end)
    {
        Deadline?.Dispose();
        lock (_gate)
        {
            _finished = true;
            _end = end;
            foreach (var subscriber in _subscribers)
            {
                if (end is not null)
                {
                    subscriber.Writer.TryWrite(end);
                    subscriber.Writer.TryComplete();
                }
                else
                {
                    subscriber.Writer.TryComplete(new IOException("The sandbox went away."));
                }
            }

            _subscribers.Clear();
        }
    }
}
