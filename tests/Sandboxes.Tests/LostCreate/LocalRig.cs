namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// The local provider (bubblewrap jails) in a state directory of the rig's own. There is no wire to lose an answer on:
/// a watcher on its own thread sees each sandbox's state directory appear, records the sandbox, and (for
/// <see cref="AnswerLoss.Cancelled"/>) cancels the create there and then. The host itself is then checked for what the
/// sandboxes left: state entries, processes, cgroups.
/// </summary>
public sealed class LocalRig : LostAnswerRig
{
    private readonly string _stateDir = Path.Combine(TestEnvironment.StateDir, "lost-create-" + Guid.NewGuid().ToString("N")[..8]);
    private Sandboxer? _direct;
    private Watcher? _watcher;

    /// <inheritdoc />
    public override ProviderConfig Config =>
        new() { Extra = new Dictionary<string, object?> { ["state_dir"] = _stateDir, ["isolation"] = "namespaces" } };

    private string SandboxesDir => Path.Combine(_stateDir, "local", "sandboxes");

    /// <inheritdoc />
    public override Task StartAsync()
    {
        _direct = new Sandboxer("local", Config);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override CancellationToken Arm(AnswerLoss loss)
    {
        if (loss is not (AnswerLoss.Cancelled or AnswerLoss.TimedOut))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "A local create has no wire to lose an answer on.");
        }

        _watcher = new Watcher(SandboxesDir, cancelOnFirst: loss == AnswerLoss.Cancelled);
        return _watcher.Token;
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Disarm()
    {
        var made = _watcher?.Stop() ?? [];
        _watcher = null;
        return made;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels) =>
        await _direct!.ListSandboxesAsync(new ListSandboxesFilter { Labels = labels });

    /// <inheritdoc />
    public override IReadOnlyList<string> HostLeftovers(IReadOnlyCollection<string> sandboxIds) =>
        LeakCheck.FindOf(_stateDir, sandboxIds.ToHashSet());

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        _watcher?.Stop();
        if (_direct is not null)
        {
            await _direct.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Polls the sandboxes directory every millisecond on a thread of its own (a create runs on the caller's).</summary>
    private sealed class Watcher
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly List<string> _seen = [];
        private readonly Thread _thread;
        private volatile bool _stopping;

        public Watcher(string sandboxesDir, bool cancelOnFirst)
        {
            var before = Sandboxes(sandboxesDir);
            _thread = new Thread(() =>
            {
                while (!_stopping)
                {
                    var made = Sandboxes(sandboxesDir).Except(before).ToList();
                    lock (_seen)
                    {
                        _seen.AddRange(made.Except(_seen));
                    }

                    if (cancelOnFirst && made.Count > 0)
                    {
                        _cancel.Cancel();
                    }

                    Thread.Sleep(1);
                }
            }) { IsBackground = true, Name = "lost-create watcher" };
            _thread.Start();
        }

        public CancellationToken Token => _cancel.Token;

        public List<string> Stop()
        {
            _stopping = true;
            _thread.Join();
            _cancel.Dispose();
            lock (_seen)
            {
                return [.. _seen];
            }
        }

        // A sandbox's directory is named by its id once its record is written (a create stages it under another name).
        private static List<string> Sandboxes(string sandboxesDir)
        {
            try
            {
                return Directory.Exists(sandboxesDir)
                    ? Directory.EnumerateDirectories(sandboxesDir).Select(d => Path.GetFileName(d)).Where(n => n.StartsWith("sbx-", StringComparison.Ordinal)).ToList()
                    : [];
            }
            catch (IOException)
            {
                return []; // the directory changed under the enumeration; the next poll sees it
            }
        }
    }
}
