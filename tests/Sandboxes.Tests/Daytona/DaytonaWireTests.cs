using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Daytona;

/// <summary>
/// What the daytona adapter puts on the wire, read where the emulator received it: labels as Daytona labels (never as
/// environment variables, sandboxer's bug), resources and lifetimes in Daytona's units, the organization header with a
/// JWT, and PTY and log WebSocket messages in the shapes Daytona's SDKs document.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class DaytonaWireTests : TargetClientFixture<DaytonaTarget>
{
    [Test]
    public async Task Labels_are_labels_and_environment_variables_are_environment_variables()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (sandbox, info) = await Client.CreateSandboxAsync(new CreateSandboxRequest
        {
            Labels = new Dictionary<string, string> { ["team"] = "core-" + tag },
            Envs = new Dictionary<string, string> { ["MODE"] = "test" },
        });

        var body = Created(info.Id);
        var env = await sandbox.RunCommandAsync("env");
        var found = await Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["team"] = "core-" + tag } });

        Assert.That(body["labels"]!["team"]!.GetValue<string>(), Is.EqualTo("core-" + tag));
        Assert.That(body["env"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "MODE" }));
        Assert.That(Target.Daytona.EnvironmentOf(info.Id), Does.Not.ContainKey("team"));
        Assert.That(env.Stdout, Does.Contain("MODE=test").And.Not.Contain("core-" + tag));
        Assert.That(found.Select(i => i.Id), Is.EqualTo(new[] { info.Id }));
        Assert.That(found.Single().Labels, Does.ContainKey("team").WithValue("core-" + tag));
    }

    [Test]
    public async Task Lifetime_disk_gpu_and_network_go_in_daytonas_units()
    {
        var (_, info) = await Client.CreateSandboxAsync(new CreateSandboxRequest
        {
            TimeoutSeconds = 61, DiskMb = 2048, Gpu = "2:H100", Network = NetworkPolicy.None, Template = null,
        });

        var body = Created(info.Id);

        Assert.That(body["ttlMinutes"]!.GetValue<long>(), Is.EqualTo(2), "61 s rounds up to two whole minutes");
        Assert.That(body["disk"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(body["gpu"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(body["gpuType"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "H100" }));
        Assert.That(body["networkBlockAll"]!.GetValue<bool>(), Is.True);
        Assert.That(info.ExpiresAt, Is.Not.Null);
    }

    [Test]
    public void Values_daytona_cannot_hold_exactly_are_refused_before_anything_is_created()
    {
        var before = Target.Daytona.CreateRequests.Count;

        Assert.That(async () => await Client.CreateSandboxAsync(new CreateSandboxRequest { DiskMb = 1000 }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("1024"));
        Assert.That(async () => await Client.CreateSandboxAsync(new CreateSandboxRequest { MemoryMb = 1024 }),
            Throws.InstanceOf<FeatureNotSupportedException>());
        Assert.That(Target.Daytona.CreateRequests, Has.Count.EqualTo(before));
    }

    [Test]
    public async Task Whole_cpus_and_memory_come_from_the_client_config()
    {
        await using var sized = new Sandboxer("daytona", Target.Config.WithExtra("cpu", 2).WithExtra("memory", 4));
        var (sandbox, info) = await sized.CreateSandboxAsync();

        var body = Created(info.Id);

        Assert.That(body["cpu"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(body["memory"]!.GetValue<long>(), Is.EqualTo(4));
        Assert.That(info.Cpus, Is.EqualTo(2));
        Assert.That(info.MemoryMb, Is.EqualTo(4096));
        await sandbox.KillAsync();
    }

    [Test]
    public async Task A_jwt_travels_with_its_organization_and_is_refused_without_one()
    {
        Target.Daytona.AcceptedJwt = "jwt-emulator-" + Guid.NewGuid().ToString("N");
        var jwt = new ProviderConfig
        {
            BaseUrl = Target.Config.BaseUrl,
            Extra = new Dictionary<string, object?> { ["jwt_token"] = Target.Daytona.AcceptedJwt, ["organization_id"] = Target.Daytona.OrganizationId },
        };
        await using var withOrganization = new Sandboxer("daytona", jwt);
        await using var otherOrganization = new Sandboxer("daytona", jwt.WithExtra("organization_id", "org-other"));

        var (sandbox, _) = await withOrganization.CreateSandboxAsync();

        Assert.That((await sandbox.RunCommandAsync("echo via-jwt")).Stdout, Is.EqualTo("via-jwt\n"));
        Assert.That(async () => await otherOrganization.ListSandboxesAsync(), Throws.InstanceOf<UnauthorizedException>());
        Assert.That(() => new Sandboxer("daytona", jwt with { Extra = new Dictionary<string, object?> { ["jwt_token"] = "x" } }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("DAYTONA_ORGANIZATION_ID"));
        await sandbox.KillAsync();
    }

    [Test]
    public void Without_credentials_the_first_call_says_which_variable_to_set()
    {
        using var none = new Sandboxer("daytona", new ProviderConfig { BaseUrl = Target.Config.BaseUrl });

        Assert.That(async () => await none.ListSandboxesAsync(), Throws.InstanceOf<BadConfigException>().With.Message.Contains("DAYTONA_API_KEY"));
    }

    [Test]
    public async Task Terminal_and_log_websockets_use_the_documented_messages()
    {
        var (sandbox, _) = await Client.CreateSandboxAsync();
        var before = Target.Daytona.ProtocolViolations.Count;

        await using (var pty = await sandbox.CreatePtyAsync(new CreatePtyRequest { Rows = 20, Cols = 60 }))
        {
            await pty.WriteAsync("echo typed_$((1+1)); exit 3\n");
            Assert.That(await ReadToEndAsync(pty), Does.Contain("typed_2"));
            Assert.That(await pty.WaitForExitAsync(), Is.EqualTo(3));
        }

        var streamed = new StringBuilder();
        await foreach (var e in sandbox.StreamCommandAsync(new RunCommandRequest("echo one; echo two >&2")))
        {
            streamed.Append(e.Kind).Append(':').Append(e.Text);
        }

        Assert.That(streamed.ToString(), Does.Contain("Stdout:one\n").And.Contain("Stderr:two\n").And.EndWith("Exit:"));
        Assert.That(Target.Daytona.ProtocolViolations.Skip(before), Is.Empty);
        await sandbox.KillAsync();
    }

    [Test]
    public async Task Heredocs_and_stdin_reach_background_commands_unchanged()
    {
        var (sandbox, _) = await Client.CreateSandboxAsync();

        var heredoc = await sandbox.StartCommandAsync(new RunCommandRequest("cat <<'EOF'\n$HOME 'quoted' \"double\"\nEOF"));
        var piped = await sandbox.StartCommandAsync(new RunCommandRequest("od -An -tx1") { KeepStdinOpen = true });
        await sandbox.WriteStdinAsync(piped.HandleId, new byte[] { 0, 10, 255, 32 });
        await sandbox.CloseStdinAsync(piped.HandleId);

        Assert.That((await sandbox.WaitForHandleAsync(heredoc.HandleId)).Stdout, Is.EqualTo("$HOME 'quoted' \"double\"\n"));
        Assert.That((await sandbox.WaitForHandleAsync(piped.HandleId)).Stdout.Trim(), Is.EqualTo("00 0a ff 20"), "bytes arrive exactly, with no newline added");
        await sandbox.KillAsync();
    }

    [Test]
    public async Task A_snapshot_name_is_unique_and_a_second_use_fails_loudly()
    {
        var (sandbox, _) = await Client.CreateSandboxAsync();
        var name = "unique-" + Guid.NewGuid().ToString("N")[..8];
        var snapshot = await sandbox.CreateSnapshotAsync(name);

        Assert.That(async () => await sandbox.CreateSnapshotAsync(name), Throws.InstanceOf<ProviderException>().With.Message.Contains("already exists"));
        await Client.DeleteSnapshotAsync(snapshot.Id);
        await sandbox.KillAsync();
    }

    private JsonObject Created(string sandboxId) =>
        Target.Daytona.CreateRequestFor(sandboxId) ?? throw new AssertionException($"The emulator saw no create request for {sandboxId}.");

    private static async Task<string> ReadToEndAsync(PtySession pty)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        int n;
        while ((n = await pty.ReadAsync(buffer, timeout.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
