using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// Lifetimes from the command line: <c>--lifetime</c> is the sandbox's (unlike <c>-t</c>, a command's), a kept sandbox
/// lives until destroyed unless given one (a preset's lifetime is for throwaway sandboxes), <c>extend</c> sets it again,
/// and <c>list</c> shows the end.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CliLifetimeTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Lifetime_sets_the_end_list_shows_it_and_extend_moves_it()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var before = DateTimeOffset.UtcNow;
        var run = await Cli.RunAsync("run", "--keep", "--lifetime", "2h", "-t", "30", "-l", $"life={tag}", "echo made");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        var id = Regex.Match(run.Stderr, "sbx-[a-z0-9]+").Value;
        LeakCheck.Record(id);
        try
        {
            Assert.That(run.Stderr, Does.Contain($"unless extended: sandboxes extend {id} 1h"), "the kept note says when it ends");
            Assert.That(await ExpiresAtAsync(tag), Is.EqualTo(before.AddHours(2)).Within(TimeSpan.FromMinutes(1)));
            var table = await Cli.RunAsync("list", "-l", $"life={tag}");
            Assert.That(table.Stdout, Does.Contain(before.AddHours(2).ToLocalTime().ToString("yyyy-MM-dd HH:", System.Globalization.CultureInfo.InvariantCulture)),
                "the table's EXPIRES column");

            var extend = await Cli.RunAsync("extend", id, "1d");
            Assert.That(extend.ExitCode, Is.EqualTo(0), extend.Stderr);
            Assert.That(extend.Stdout, Does.StartWith($"extended {id} until ").And.EndWith("\n"));
            Assert.That(await ExpiresAtAsync(tag), Is.EqualTo(DateTimeOffset.UtcNow.AddDays(1)).Within(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            await Cli.RunAsync("destroy", id);
        }
    }

    [Test]
    public async Task A_kept_sandbox_lives_until_destroyed_even_with_a_presets_lifetime()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var name = "keep-" + Guid.NewGuid().ToString("N")[..6];
        SandboxPresets.Register(new SandboxPreset(name) { TimeoutSeconds = 1800 });
        try
        {
            var preset = SandboxPresets.Get(name);
            var local = SandboxProviders.Describe("local").Capabilities;
            Assert.That(SandboxClient.BuildRequest(new SandboxOptions { Keep = true }, preset, local).TimeoutSeconds, Is.Null, "kept: until destroyed");
            Assert.That(SandboxClient.BuildRequest(new SandboxOptions(), preset, local).TimeoutSeconds, Is.EqualTo(1800), "throwaway: the preset's");
            Assert.That(SandboxClient.BuildRequest(new SandboxOptions { Keep = true, TimeoutSeconds = 60 }, preset, local).TimeoutSeconds, Is.EqualTo(60));
        }
        finally
        {
            SandboxPresets.Unregister(name);
        }

        var run = await Cli.RunAsync("run", "--keep", "-l", $"life={tag}", "true");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        var id = Regex.Match(run.Stderr, "sbx-[a-z0-9]+").Value;
        LeakCheck.Record(id);
        try
        {
            Assert.That(await ExpiresAtAsync(tag), Is.Null);
            Assert.That(run.Stderr, Does.Not.Contain("ends at"), "nothing to extend");
        }
        finally
        {
            await Cli.RunAsync("destroy", id);
        }
    }

    [Test]
    public async Task A_duration_that_is_not_one_is_a_usage_error()
    {
        var run = await Cli.RunAsync("run", "--lifetime", "soon", "true");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.Contain("--lifetime").And.Contain("'soon'"));

        var extend = await Cli.RunAsync("extend", "sbx-nothing", "-5m");
        Assert.That(extend.ExitCode, Is.EqualTo(2), extend.Stderr);
    }

    private static async Task<DateTimeOffset?> ExpiresAtAsync(string tag)
    {
        var list = await Cli.RunAsync("list", "-l", $"life={tag}", "--json");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Stderr);
        using var json = JsonDocument.Parse(list.Stdout);
        var entry = json.RootElement.EnumerateArray().Single();
        return entry.GetProperty("expires_at").ValueKind == JsonValueKind.Null ? null : entry.GetProperty("expires_at").GetDateTimeOffset();
    }
}
