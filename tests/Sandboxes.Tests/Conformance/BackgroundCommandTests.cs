using System.Text;
using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Streaming, background commands, stdin, signals and process listings.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class BackgroundCommandTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Stream_yields_chunks_tagged_by_stream_as_they_are_produced_then_the_exit()
    {
        // The command waits (20 s at most) for a file that the test creates only once it has seen the first line: a
        // stream that delivers output only at the end shows "late" instead of "2", however loaded the machine is.
        var go = "/tmp/stream-go-" + Guid.NewGuid().ToString("N")[..8];
        var request = new RunCommandRequest("echo 1; i=0; while [ ! -e " + go + " ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; " +
            "if [ -e " + go + " ]; then echo 2; else echo late; fi; echo done >&2; exit 4");
        if (!RequireOrExpectGap(Capability.CommandsStream, async () => { await foreach (var _ in Sandbox.StreamCommandAsync(request)) { } }))
        {
            return;
        }

        var events = new List<CommandEvent>();
        await foreach (var e in Sandbox.StreamCommandAsync(request))
        {
            events.Add(e);
            if (e.Kind == CommandEventKind.Stdout && events.Count(x => x.Kind == CommandEventKind.Stdout) == 1)
            {
                await Sandbox.RunCommandAsync("touch " + go);
            }
        }

        var stdout = string.Concat(events.Where(e => e.Kind == CommandEventKind.Stdout).Select(e => e.Text));
        Assert.That(stdout, Is.EqualTo("1\n2\n"), "the first line arrives while the command still runs");
        Assert.That(string.Concat(events.Where(e => e.Kind == CommandEventKind.Stderr).Select(e => e.Text)), Is.EqualTo("done\n"));
        Assert.That(events[^1].Kind, Is.EqualTo(CommandEventKind.Exit));
        Assert.That(events[^1].ExitCode, Is.EqualTo(4));
    }

    [Test]
    public async Task Leaving_a_stream_early_kills_the_command()
    {
        if (!Supports(Capability.CommandsStream))
        {
            return;
        }

        var marker = TestPath("after");
        await foreach (var e in Sandbox.StreamCommandAsync(new RunCommandRequest($"echo first; sleep 2; echo x > {marker}")))
        {
            if (e.Kind == CommandEventKind.Stdout)
            {
                break;
            }
        }

        await Task.Delay(2500);
        Assert.That(await Sandbox.ExistsAsync(marker), Is.False);
    }

    [Test]
    public async Task Background_command_returns_at_once_and_can_be_waited_for_later()
    {
        var request = new RunCommandRequest("echo bg; sleep 1; echo done; exit 7");
        if (!RequireOrExpectGap(Capability.CommandsBackground, () => Sandbox.StartCommandAsync(request)))
        {
            return;
        }

        var started = DateTime.UtcNow;
        var handle = await Call(() => Sandbox.StartCommand(request), () => Sandbox.StartCommandAsync(request));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromMilliseconds(900)));
        Assert.That(handle.Pid, Is.GreaterThan(0));
        Assert.That(handle.HandleId, Is.Not.Empty);

        var result = await Call(() => Sandbox.WaitForHandle(handle.HandleId), () => Sandbox.WaitForHandleAsync(handle.HandleId));

        Assert.That(result.Stdout, Is.EqualTo("bg\ndone\n"));
        Assert.That(result.ExitCode, Is.EqualTo(7));
    }

    [Test]
    public async Task A_second_client_attaches_to_a_background_command_and_waits_for_it()
    {
        if (!Supports(Capability.CommandsBackground))
        {
            return;
        }

        var handle = await Sandbox.StartCommandAsync(new RunCommandRequest("for i in 1 2 3; do echo $i; sleep 0.2; done"));
        await using var other = new Sandboxer(Target.Provider, Target.Config);
        var attached = await other.AttachSandboxAsync(Sandbox.Id);

        var output = new StringBuilder();
        int? exit = null;
        await foreach (var e in attached.AttachCommandAsync(handle.HandleId))
        {
            if (e.Kind == CommandEventKind.Stdout)
            {
                output.Append(e.Text);
            }
            else if (e.Kind == CommandEventKind.Exit)
            {
                exit = e.ExitCode;
            }
        }

        Assert.That(output.ToString(), Is.EqualTo("1\n2\n3\n"));
        Assert.That(exit, Is.EqualTo(0));
        var result = await attached.WaitForHandleAsync(handle.HandleId);
        Assert.That(result.Stdout, Is.EqualTo("1\n2\n3\n"));
    }

    [Test]
    public async Task Stdin_of_a_running_command_can_be_written_and_closed()
    {
        var request = new RunCommandRequest("tr a-z A-Z") { KeepStdinOpen = true };
        if (!RequireOrExpectGap(Capability.CommandsStdin, () => Sandbox.StartCommandAsync(request)))
        {
            return;
        }

        var handle = await Call(() => Sandbox.StartCommand(request), () => Sandbox.StartCommandAsync(request));
        await Call(() => Sandbox.WriteStdin(handle.HandleId, "hello "), () => Sandbox.WriteStdinAsync(handle.HandleId, "hello "));
        await Call(() => Sandbox.WriteStdin(handle.HandleId, "world\n"), () => Sandbox.WriteStdinAsync(handle.HandleId, "world\n"));
        await Call(() => Sandbox.CloseStdin(handle.HandleId), () => Sandbox.CloseStdinAsync(handle.HandleId));

        var result = await Sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout, Is.EqualTo("HELLO WORLD\n"));
    }

    [Test]
    public async Task Another_client_writes_to_a_kept_stdin()
    {
        if (!Supports(Capability.CommandsStdin))
        {
            return;
        }

        var handle = await Sandbox.StartCommandAsync(new RunCommandRequest("cat") { KeepStdinOpen = true, TimeoutSeconds = 60 });
        await using var other = new Sandboxer(Target.Provider, Target.Config);
        var attached = await other.AttachSandboxAsync(Sandbox.Id);

        await Sandbox.WriteStdinAsync(handle.HandleId, "from the starter, ");
        await Call(() => attached.WriteStdin(handle.HandleId, "from another client"), () => attached.WriteStdinAsync(handle.HandleId, "from another client"));
        await Sandbox.CloseStdinAsync(handle.HandleId);

        var result = await Sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout, Is.EqualTo("from the starter, from another client"));
    }

    [Test]
    public async Task Disposing_another_client_that_wrote_to_a_kept_stdin_leaves_it_open()
    {
        if (!Supports(Capability.CommandsStdin))
        {
            return;
        }

        var handle = await Sandbox.StartCommandAsync(new RunCommandRequest("cat") { KeepStdinOpen = true, TimeoutSeconds = 60 });
        var other = new Sandboxer(Target.Provider, Target.Config);
        var attached = await other.AttachSandboxAsync(Sandbox.Id);
        await attached.WriteStdinAsync(handle.HandleId, "from another client, ");

        // The other client still holds its way into the stdin: letting go of it must neither fail nor close the stdin.
        await Call(() => other.Dispose(), async () => await other.DisposeAsync());
        await Sandbox.WriteStdinAsync(handle.HandleId, "then from the starter");
        await Sandbox.CloseStdinAsync(handle.HandleId);

        var result = await Sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout, Is.EqualTo("from another client, then from the starter"));
    }

    [Test]
    public async Task Kept_stdins_of_several_commands_written_by_two_clients_close_at_once()
    {
        if (!Supports(Capability.CommandsStdin))
        {
            return;
        }

        // Several at once, as a loaded suite runs them: each close must end its command, with everything written in order.
        var runs = Enumerable.Range(0, 6).Select(async i =>
        {
            var handle = await Sandbox.StartCommandAsync(new RunCommandRequest("cat") { KeepStdinOpen = true, TimeoutSeconds = 120 });
            await using (var other = new Sandboxer(Target.Provider, Target.Config))
            {
                var attached = await other.AttachSandboxAsync(Sandbox.Id);
                await attached.WriteStdinAsync(handle.HandleId, $"{i}:other,");
            }

            await Sandbox.WriteStdinAsync(handle.HandleId, "starter");
            await Sandbox.CloseStdinAsync(handle.HandleId);
            return (i, (await Sandbox.WaitForHandleAsync(handle.HandleId)).Stdout);
        }).ToList();

        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(100));

        Assert.That(results.Select(r => r.Stdout), Is.EqualTo(results.Select(r => $"{r.i}:other,starter")));
    }

    [Test]
    public async Task Processes_are_listed_and_can_be_signalled()
    {
        if (!RequireOrExpectGap(Capability.CommandsList, () => Sandbox.ListProcessesAsync()))
        {
            return;
        }

        var handle = await Sandbox.StartCommandAsync(new RunCommandRequest("sleep 60"));
        var processes = await Call(() => Sandbox.ListProcesses(), () => Sandbox.ListProcessesAsync());
        Assert.That(processes.Select(p => p.Pid), Does.Contain(handle.Pid));
        Assert.That(processes.Single(p => p.Pid == handle.Pid).Command, Does.Contain("sleep 60"));
        Assert.That(processes.Single(p => p.Pid == handle.Pid).User, Is.Not.Empty);

        await Call(() => Sandbox.KillProcess(handle.Pid, ProcessSignal.Kill), () => Sandbox.KillProcessAsync(handle.Pid, ProcessSignal.Kill));
        var result = await Sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.ExitCode, Is.EqualTo(137));
        Assert.That(result.Error, Does.Contain("signal 9"));
        var after = await Sandbox.ListProcessesAsync();
        Assert.That(after.Select(p => p.Pid), Does.Not.Contain(handle.Pid));
    }

    [Test]
    public async Task A_background_command_past_its_timeout_is_killed_even_when_nobody_waits()
    {
        if (!Supports(Capability.CommandsBackground))
        {
            return;
        }

        var marker = TestPath("late");
        var handle = await Sandbox.StartCommandAsync(new RunCommandRequest($"sleep 3; echo late > {marker}") { TimeoutSeconds = 1 });
        await Task.Delay(3500);

        Assert.That(await Sandbox.ExistsAsync(marker), Is.False);
        Assert.That(async () => await Sandbox.WaitForHandleAsync(handle.HandleId), Throws.InstanceOf<SandboxTimeoutException>());
    }

    [Test]
    public async Task Signalling_an_unknown_process_is_not_found()
    {
        if (!Supports(Capability.CommandsKill))
        {
            return;
        }

        Assert.That(async () => await Sandbox.KillProcessAsync(999_999), Throws.InstanceOf<NotFoundException>());
        await Task.CompletedTask;
    }

    [Test]
    public async Task Waiting_for_an_unknown_handle_is_not_found()
    {
        if (!Supports(Capability.CommandsBackground))
        {
            return;
        }

        Assert.That(async () => await Sandbox.WaitForHandleAsync("no-such-handle"), Throws.InstanceOf<NotFoundException>());
        await Task.CompletedTask;
    }
}
