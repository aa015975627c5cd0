using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Follows every command of one kernel that this client is reading with a single long poll at a time, so that the
/// kernel, which runs one request after another, answers other calls within one poll's wait however many commands are
/// followed. Each follower gets what is new for its command, in order, and is slowed down by nobody but itself.
/// </summary>
internal sealed class CommandOutputHub
{
    private const int WaitMilliseconds = 50;
    private readonly KernelAgent _agent;
    private readonly object _gate = new();
    private readonly List<Follower> _followers = [];
    private bool _polling;
    private long _nextKey;

    public CommandOutputHub(KernelAgent agent) => _agent = agent;

    /// <summary>Starts following a command from its beginning; dispose the follower to stop.</summary>
    public Follower Follow(string handleId)
    {
        var follower = new Follower(this, handleId, Interlocked.Increment(ref _nextKey).ToString(CultureInfo.InvariantCulture));
        lock (_gate)
        {
            _followers.Add(follower);
            if (!_polling)
            {
                _polling = true;
                _ = Task.Run(PollAsync);
            }
        }

        return follower;
    }

    private void Remove(Follower follower)
    {
        lock (_gate)
        {
            _followers.Remove(follower);
        }
    }

    private async Task PollAsync()
    {
        while (true)
        {
            Follower[] current;
            lock (_gate)
            {
                current = _followers.ToArray();
                if (current.Length == 0)
                {
                    _polling = false;
                    return;
                }
            }

            JsonElement answer;
            try
            {
                answer = await _agent.CallAsync("poll", w =>
                {
                    w.WriteStartArray("follows");
                    foreach (var follower in current)
                    {
                        w.WriteStartObject();
                        w.WriteString("key", follower.Key);
                        w.WriteString("handle", follower.HandleId);
                        w.WriteNumber("out_offset", follower.OutOffset);
                        w.WriteNumber("err_offset", follower.ErrOffset);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteNumber("wait_ms", WaitMilliseconds);
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception error) when (error is SandboxException or OperationCanceledException)
            {
                // The kernel is gone or unreachable: every follower learns it, and following ends.
                foreach (var follower in current)
                {
                    follower.Fail(error);
                    Remove(follower);
                }

                continue;
            }

            foreach (var follower in current)
            {
                if (answer.TryGetProperty(follower.Key, out var news))
                {
                    await follower.DeliverAsync(news).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>One command being followed: what is new for it arrives in order.</summary>
    internal sealed class Follower : IDisposable
    {
        private readonly CommandOutputHub _hub;

        // Bounded: a reader that falls behind holds the poll up, so output never piles up in memory.
        private readonly Channel<CommandNews> _news = Channel.CreateBounded<CommandNews>(new BoundedChannelOptions(4) { SingleReader = true });

        public Follower(CommandOutputHub hub, string handleId, string key)
        {
            _hub = hub;
            HandleId = handleId;
            Key = key;
        }

        public string HandleId { get; }

        public string Key { get; }

        public long OutOffset { get; private set; }

        public long ErrOffset { get; private set; }

        /// <summary>The next news of the command.</summary>
        /// <exception cref="NotFoundException">The kernel's agent has no such command.</exception>
        public async ValueTask<CommandNews> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await _news.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException closed) when (closed.InnerException is not null)
            {
                throw closed.InnerException;
            }
        }

        public void Dispose()
        {
            _hub.Remove(this);
            _news.Writer.TryComplete();
        }

        internal async Task DeliverAsync(JsonElement news)
        {
            if (news.TryGetProperty("error", out var error))
            {
                Fail(new NotFoundException(JupyterProvider.ProviderId,
                    news.TryGetProperty("message", out var message) ? message.GetString() ?? string.Empty : error.GetString() ?? "not found"));
                _hub.Remove(this);
                return;
            }

            var item = new CommandNews(
                news.GetProperty("out").GetBytesFromBase64(),
                news.GetProperty("err").GetBytesFromBase64(),
                news.GetProperty("exit").ValueKind == JsonValueKind.Number ? news.GetProperty("exit").GetInt32() : null,
                news.GetProperty("timed_out").GetBoolean(),
                news.GetProperty("timeout").ValueKind == JsonValueKind.Number ? news.GetProperty("timeout").GetDouble() : null);
            OutOffset += item.Stdout.Length;
            ErrOffset += item.Stderr.Length;
            if (item.ExitCode is not null)
            {
                _hub.Remove(this);
            }

            try
            {
                await _news.Writer.WriteAsync(item).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // The reader left.
            }
        }

        internal void Fail(Exception error) => _news.Writer.TryComplete(error);
    }
}

/// <summary>What is new for a followed command: output, and its exit once all output was read.</summary>
internal sealed record CommandNews(byte[] Stdout, byte[] Stderr, int? ExitCode, bool TimedOut, double? TimeoutSeconds);
