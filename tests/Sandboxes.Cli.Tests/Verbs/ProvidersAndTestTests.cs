using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary>
/// <c>providers</c> (the capability matrix with the credentials found here, config file included, and the default
/// provider) and <c>test</c> (create, run, destroy on each configured provider, timed).
/// </summary>
[TestFixture]
public sealed class ProvidersAndTestTests
{
    [Test]
    public async Task Providers_json_is_the_matrix_with_credentials_here_and_the_default()
    {
        var result = await CliTool.RunAsync("providers", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(root.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()), Does.Contain("pty").And.Contain("snapshot"));
        Assert.That(root.GetProperty("defaultProvider").GetProperty("id").GetString(), Is.EqualTo("local"));
        Assert.That(root.GetProperty("defaultProvider").GetProperty("source").GetString(), Is.EqualTo("LastResort"));
        var providers = root.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.That(providers.Keys, Is.EquivalentTo(SandboxProviders.All.Select(d => d.Id)));

        var local = providers["local"];
        Assert.That(local.GetProperty("default").GetBoolean(), Is.True);
        Assert.That(local.GetProperty("credentials").GetProperty("status").GetString(), Is.EqualTo("not-needed"));
        Assert.That(local.GetProperty("capabilities").GetProperty("pty").GetProperty("support").GetString(), Is.EqualTo("native"));
        foreach (var descriptor in SandboxProviders.All.Where(d => !d.NeedsNoCredentials))
        {
            var credentials = providers[descriptor.Id].GetProperty("credentials");
            Assert.That(credentials.GetProperty("status").GetString(), Is.EqualTo("missing"), descriptor.Id + ": no credentials in the test environment");
            Assert.That(credentials.GetProperty("environment").EnumerateArray().Select(v => v.GetString()), Is.EqualTo(descriptor.CredentialVariables));
        }
    }

    [Test]
    public async Task A_key_in_the_config_file_counts_as_configured_and_is_never_printed()
    {
        var descriptor = SandboxProviders.All.First(d => d.CredentialVariables.Count > 0);
        const string secret = "cfg-secret-5f1e2d";
        var config = Path.Combine(CliTestEnvironment.StateDir, $"keys-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""{ "providers": { "{{descriptor.Id}}": { "apiKey": "{{secret}}" } } }""");
        var environment = new Dictionary<string, string?> { ["SANDBOXES_CONFIG"] = config, ["SANDBOXES_PROVIDER"] = "local" };

        var json = await CliTool.RunAsync(["providers", "--json"], null, environment);
        var table = await CliTool.RunAsync(["providers"], null, environment);

        var entry = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("id").GetString() == descriptor.Id);
        Assert.That(entry.GetProperty("credentials").GetProperty("status").GetString(), Is.EqualTo("configured"));
        Assert.That(entry.GetProperty("credentials").GetProperty("source").GetString(), Does.Contain(config));
        Assert.That(json.Stdout + json.Stderr + table.Stdout + table.Stderr, Does.Not.Contain(secret));
        Assert.That(table.Stdout, Does.Match($"(?m)^{descriptor.DisplayName} +{descriptor.Id} .*configured"));
    }

    [Test]
    public async Task Providers_table_marks_the_default_and_shows_one_provider_with_notes()
    {
        var all = await CliTool.RunAsync("providers");
        Assert.That(all.Stdout, Does.Match("(?m)^Local +local +none +not needed +default$"));
        Assert.That(all.Stdout, Does.Match("(?m)^pty +native"));
        Assert.That(all.Stdout, Does.Contain("Default provider: local ("));

        var local = await CliTool.RunAsync("providers", "local");
        Assert.That(local.Stdout, Does.StartWith("Local (local), the default provider\n"));
        Assert.That(local.Stdout, Does.Match("(?m)^images +— +Local sandboxes run on this machine"));

        var unknown = await CliTool.RunAsync("providers", "nope");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
    }

    [Test]
    [Category("Bubblewrap")]
    public async Task Test_creates_runs_and_destroys_on_each_configured_provider()
    {
        Requires.Bubblewrap();

        var result = await CliTool.RunAsync("test", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var outcome = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Single();
        Assert.That(outcome.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "provider", "ok", "sandbox_id", "create_ms", "run_ms", "destroy_ms", "total_ms", "error",
        }));
        Assert.That(outcome.GetProperty("provider").GetString(), Is.EqualTo("local"), "the only provider configured in the test environment");
        Assert.That(outcome.GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(outcome.GetProperty("create_ms").GetDouble(), Is.GreaterThan(0));
        Assert.That(outcome.GetProperty("total_ms").GetDouble(), Is.GreaterThanOrEqualTo(outcome.GetProperty("create_ms").GetDouble()));
        var left = await CliTool.RunAsync("list", "-q");
        Assert.That(left.Stdout.Split('\n'), Does.Not.Contain(outcome.GetProperty("sandbox_id").GetString()), "destroyed");

        var table = await CliTool.RunAsync("test", "-p", "local");
        Assert.That(table.Stdout, Does.Match("(?m)^local +ok +[0-9.]+ m?s"));
    }

    [Test]
    public async Task Test_of_a_provider_without_credentials_fails_with_125_naming_the_variable()
    {
        var descriptor = SandboxProviders.All.FirstOrDefault(d => !d.NeedsNoCredentials);
        Assert.That(descriptor, Is.Not.Null, "The cloud providers (e2b, daytona) are registered and need credentials.");

        var result = await CliTool.RunAsync("test", "-p", descriptor!.Id);

        Assert.That(result.ExitCode, Is.EqualTo(125), result.ToString());
        Assert.That(result.Stdout, Does.Contain(descriptor.CredentialVariables[0]));
    }
}
