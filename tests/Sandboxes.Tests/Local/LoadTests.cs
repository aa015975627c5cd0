using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// Local sandboxes under load: 50 at once with 20 commands each, and create-run-kill cycles one after the other (200 in
/// the CI profile, 1,000 with <c>SANDBOXES_LONG_LOAD=1</c>). Nothing fails, and this process's descriptors, threads and
/// managed memory, the host's mounts and the sandboxes' processes come back to where they started. The figures go to
/// the test output (and docs/reliability.md).
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
[Category("Load")]
[NonParallelizable]
public sealed class LoadTests
{
    private static int Cycles => Environment.GetEnvironmentVariable("SANDBOXES_LONG_LOAD") == "1" ? 1000 : 200;

    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Fifty_sandboxes_at_once_with_twenty_commands_each()
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        await Warm(client);
        var before = Resources.Measure(TestEnvironment.StateDir);
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var watch = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(async n =>
        {
            var (sandbox, info) = await client.CreateSandboxAsync();
            LeakCheck.Record(info.Id);
            ids.Add(info.Id);
            await using (sandbox)
            {
                for (var i = 0; i < 20; i++)
                {
                    var result = await sandbox.RunCommandAsync($"echo {n}-{i}");
                    Assert.That(result.Stdout, Is.EqualTo($"{n}-{i}\n"));
                }
            }
        }));

        var elapsed = watch.Elapsed;
        var after = Resources.Measure(TestEnvironment.StateDir);
        Report("50 sandboxes x 20 commands", elapsed, before, after);
        AssertFlat(before, after, ids);
    }

    [Test]
    public async Task Create_run_kill_cycles_one_after_the_other()
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        await Warm(client);
        var before = Resources.Measure(TestEnvironment.StateDir);
        var ids = new List<string>();
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Cycles; i++)
        {
            var (sandbox, info) = await client.CreateSandboxAsync();
            ids.Add(info.Id);
            var result = await sandbox.RunCommandAsync("echo cycle");
            Assert.That(result.Stdout, Is.EqualTo("cycle\n"), $"cycle {i}");
            await sandbox.KillAsync();
            await sandbox.DisposeAsync();
        }

        var elapsed = watch.Elapsed;
        var after = Resources.Measure(TestEnvironment.StateDir);
        Report($"{Cycles} create-run-kill cycles", elapsed, before, after);
        AssertFlat(before, after, ids);
    }

    // A few cycles first, so that what is made once per process (the poller thread, the /etc view, JIT) is not growth.
    private static async Task Warm(Sandboxer client)
    {
        for (var i = 0; i < 3; i++)
        {
            var (sandbox, _) = await client.CreateSandboxAsync();
            await sandbox.RunCommandAsync("true");
            await sandbox.KillAsync();
        }
    }

    private static void AssertFlat(Resources before, Resources after, IEnumerable<string> ids)
    {
        Assert.That(after.Descriptors - before.Descriptors, Is.LessThanOrEqualTo(8), "descriptors of this process");
        Assert.That(after.Threads - before.Threads, Is.LessThanOrEqualTo(24), "threads of this process (the thread pool may keep a few)");
        Assert.That(after.Mounts, Is.EqualTo(before.Mounts), "mounts of the host under the state directory");
        Assert.That(after.ManagedBytes - before.ManagedBytes, Is.LessThan(16L * 1024 * 1024), "managed memory after a full collection");
        Assert.That(Resources.ProcessesOf(ids.ToHashSet()), Is.Zero, "processes of the sandboxes");
        Assert.That(after.Children, Is.LessThanOrEqualTo(before.Children), "child processes of this process");
    }

    private static void Report(string what, TimeSpan elapsed, Resources before, Resources after) =>
        TestContext.Out.WriteLine(
            $"load: {what} in {elapsed.TotalSeconds:F1} s; descriptors {before.Descriptors} -> {after.Descriptors}, threads {before.Threads} -> {after.Threads}, " +
            $"mounts {before.Mounts} -> {after.Mounts}, managed {before.ManagedBytes / 1024} KiB -> {after.ManagedBytes / 1024} KiB, " +
            $"children {before.Children} -> {after.Children}");

    /// <summary>What is counted before and after.</summary>
    private sealed record Resources(int Descriptors, int Threads, int Mounts, long ManagedBytes, int Children)
    {
        // Mounts are counted under the state directory only: other work on the machine mounts and unmounts too.
        public static Resources Measure(string stateDir)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var managed = GC.GetTotalMemory(forceFullCollection: true);
            using var self = Process.GetCurrentProcess();
            return new Resources(Directory.GetFiles("/proc/self/fd").Length, self.Threads.Count, File.ReadAllLines("/proc/self/mountinfo").Count(l => l.Contains(stateDir, StringComparison.Ordinal)),
                managed, ChildrenOf(Environment.ProcessId));
        }

        public static int ProcessesOf(HashSet<string> ids)
        {
            var count = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                    if (environ.Contains("SANDBOX_ID=", StringComparison.Ordinal) && ids.Any(id => environ.Contains(id, StringComparison.Ordinal)))
                    {
                        count++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }

            return count;
        }

        private static int ChildrenOf(int pid)
        {
            var count = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields.Length > 1 && fields[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        count++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }

            return count;
        }
    }
}
