using System.Collections.Concurrent;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Core;

/// <summary>
/// The synchronous API called from a thread that owns a single-threaded SynchronizationContext (a UI thread, classic
/// ASP.NET) must not deadlock: nothing may wait for a continuation posted back to the blocked thread.
/// </summary>
[Category("Bubblewrap")]
public sealed class SyncBridgeTests
{
    [Test]
    public void Sync_calls_under_a_single_threaded_context_complete()
    {
        Requires.Bubblewrap();
        Exception? failure = null;
        string? output = null;
        var thread = new Thread(() =>
        {
            var context = new SingleThreadContext();
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                using var client = new Sandboxer("local", TestEnvironment.LocalConfig());
                var (sandbox, info) = client.CreateSandbox();
                LeakCheck.Record(info.Id);
                output = sandbox.RunCommand(new RunCommandRequest("echo sync") { OnStdout = _ => { } }).Stdout;
                sandbox.WriteText("/workspace/f", "x");
                output += sandbox.ReadText("/workspace/f");
                sandbox.Kill();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();

        Assert.That(thread.Join(TimeSpan.FromSeconds(60)), Is.True, "the synchronous API deadlocked under a single-threaded context");
        Assert.That(failure, Is.Null);
        Assert.That(output, Is.EqualTo("sync\nx"));
    }

    /// <summary>Runs posted work only when its own thread pumps, like a UI thread: a blocked owner means nothing runs.</summary>
    private sealed class SingleThreadContext : SynchronizationContext
    {
        private readonly BlockingCollection<(SendOrPostCallback, object?)> _queue = new();

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => d(state);
    }
}
