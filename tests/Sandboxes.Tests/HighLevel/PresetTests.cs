using NUnit.Framework;

namespace Sandboxes.Tests.HighLevel;

/// <summary>Presets: built-in list, registration, setup on creation, explicit options over preset defaults, failures naming the command.</summary>
[TestFixture]
public sealed class PresetTests
{
    [Test]
    public void The_built_in_presets_are_bespokes_list()
    {
        Assert.That(SandboxPresets.Names, Is.SupersetOf(new[] { "claude-code", "codex", "python-data-science", "python-ml", "node", "web-dev", "empty" }));
        Assert.That(SandboxPresets.Get("python-ml").MemoryMb, Is.EqualTo(4096));
        Assert.That(SandboxPresets.Get("claude-code").SetupCommands, Has.Some.Contain("@anthropic-ai/claude-code"));
        Assert.That(SandboxPresets.Get("empty").SetupCommands, Is.Empty);
    }

    [Test]
    public void An_unknown_preset_is_bad_input_listing_the_known_ones()
    {
        var error = Assert.Throws<BadConfigException>(() => SandboxPresets.Get("nope"));
        Assert.That(error!.Message, Does.Contain("nope").And.Contain("python-ml"));
    }

    [Test]
    public void Explicit_options_override_preset_defaults_which_apply_only_where_supported()
    {
        var preset = new SandboxPreset("p") { MemoryMb = 4096, Cpus = 2, TimeoutSeconds = 1800, Envs = new Dictionary<string, string> { ["A"] = "preset", ["B"] = "preset" } };
        var local = SandboxProviders.Describe("local").Capabilities;
        var noLimits = new ProviderCapabilities("x", [new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native)]);

        var request = SandboxClient.BuildRequest(new SandboxOptions { MemoryMb = 512, Envs = new Dictionary<string, string> { ["B"] = "mine" } }, preset, local);
        Assert.That(request.MemoryMb, Is.EqualTo(512), "explicit wins");
        Assert.That(request.Cpus, Is.EqualTo(2), "preset default where nothing explicit");
        Assert.That(request.TimeoutSeconds, Is.EqualTo(1800));
        Assert.That(request.Envs, Is.EquivalentTo(new Dictionary<string, string> { ["A"] = "preset", ["B"] = "mine" }));

        var elsewhere = SandboxClient.BuildRequest(new SandboxOptions(), preset, noLimits);
        Assert.That(elsewhere.MemoryMb, Is.Null, "a default the provider cannot honour is left out, not failed on");
        Assert.That(elsewhere.TimeoutSeconds, Is.Null);
        Assert.That(SandboxClient.BuildRequest(new SandboxOptions { MemoryMb = 1 }, preset, noLimits).MemoryMb, Is.EqualTo(1),
            "an explicit value is kept, so the provider refuses it loudly");
    }

    [Test]
    public async Task The_node_preset_sets_up_on_the_local_provider()
    {
        await using var client = TestClients.Local();
        await using var sb = await client.CreateAsync(new SandboxOptions { Preset = "node" });
        LeakCheck.Record(sb.Id);

        Assert.That((await sb.RunCommandAsync("node -e 'console.log(6*7)'")).Stdout, Is.EqualTo("42\n"));
    }

    [Test]
    public async Task A_registered_preset_runs_its_setup_commands_in_order()
    {
        var name = "test-stack-" + Guid.NewGuid().ToString("N")[..6];
        Sandbox.RegisterPreset(new SandboxPreset(name)
        {
            SetupCommands = ["mkdir -p /workspace/app", "echo configured > /workspace/app/state"],
            Envs = new Dictionary<string, string> { ["STACK"] = "test" },
        });
        try
        {
            await using var client = TestClients.Local();
            await using var sb = await client.CreateAsync(new SandboxOptions { Preset = name });
            LeakCheck.Record(sb.Id);

            Assert.That((await sb.RunCommandAsync("cat /workspace/app/state; echo $STACK")).Stdout, Is.EqualTo("configured\ntest\n"));
        }
        finally
        {
            SandboxPresets.Unregister(name);
        }
    }

    [Test]
    public async Task A_failed_setup_names_the_command_and_leaves_no_sandbox()
    {
        var name = "broken-" + Guid.NewGuid().ToString("N")[..6];
        var marker = new Dictionary<string, string> { ["preset-test"] = name };
        SandboxPresets.Register(new SandboxPreset(name) { SetupCommands = ["true", "echo cannot install >&2; exit 7", "echo never"] });
        try
        {
            await using var client = TestClients.Local();
            var error = Assert.ThrowsAsync<SandboxSetupException>(() => client.CreateAsync(new SandboxOptions { Preset = name, Labels = marker }));

            Assert.That(error!.Command, Is.EqualTo("echo cannot install >&2; exit 7"));
            Assert.That(error.Message, Does.Contain(name).And.Contain("exit 7").And.Contain("code 7").And.Contain("cannot install"));
            Assert.That(error.Result!.ExitCode, Is.EqualTo(7));
            Assert.That(error.IsTransient, Is.False);
            Assert.That(await client.GetSandboxer("local").ListSandboxesAsync(new ListSandboxesFilter { Labels = marker }), Is.Empty);
        }
        finally
        {
            SandboxPresets.Unregister(name);
        }
    }

    [Test]
    public void Presets_that_install_packages_ask_for_the_internet_and_an_explicit_network_wins()
    {
        var local = SandboxProviders.Describe("local").Capabilities;
        var jupyter = SandboxProviders.Describe("jupyter").Capabilities;
        foreach (var name in new[] { "claude-code", "codex", "python-data-science", "python-ml", "web-dev" })
        {
            Assert.That(SandboxClient.BuildRequest(new SandboxOptions(), SandboxPresets.Get(name), local).Network, Is.EqualTo(NetworkPolicy.Internet), name);
            Assert.That(SandboxClient.BuildRequest(new SandboxOptions(), SandboxPresets.Get(name), jupyter).Network, Is.Null,
                $"{name}: left out where the network cannot be chosen");
        }

        Assert.That(SandboxClient.BuildRequest(new SandboxOptions(), SandboxPresets.Get("node"), local).Network, Is.Null, "node installs nothing");
        Assert.That(SandboxClient.BuildRequest(new SandboxOptions { Network = NetworkPolicy.None }, SandboxPresets.Get("python-ml"), local).Network,
            Is.EqualTo(NetworkPolicy.None));
    }

    [Test]
    public async Task A_preset_needing_the_internet_fails_when_kept_offline_with_its_command_named()
    {
        // Kept offline explicitly, pip cannot reach an index: the error names the pip command.
        await using var client = TestClients.Local();
        var preset = SandboxPresets.Get("python-data-science") with { Name = "pds-offline-" + Guid.NewGuid().ToString("N")[..6] };
        SandboxPresets.Register(preset with
        {
            SetupCommands = [preset.SetupCommands[0] + " --retries 0 --timeout 2"], MemoryMb = null,
        });
        try
        {
            var error = Assert.ThrowsAsync<SandboxSetupException>(() => client.CreateAsync(new SandboxOptions { Preset = preset.Name, Network = NetworkPolicy.None }));
            Assert.That(error!.Command, Does.StartWith("python3 -m pip install"));
            Assert.That(error.Message, Does.Contain("pip install"));
        }
        finally
        {
            SandboxPresets.Unregister(preset.Name);
        }
    }
}
