using System.Security.Cryptography;
using NUnit.Framework;
using Sandboxes.Emulators;
using Sandboxes.Emulators.E2B;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Referees;

/// <summary>
/// E2B's own client (the npm package <c>e2b</c>, pinned in scripts/referees to the version of the spec in specs/e2b)
/// runs its basic flow against the E2B emulator, behind Prism validating the control plane against E2B's spec: create,
/// run a command (output and exit code), write, read and list files, list by labels, kill. Where the vendor's client
/// and the emulator disagree, the emulator is wrong, and then so may be the adapter tested against it.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class E2BRefereeTests
{
    private E2BEmulator _emulator = null!;
    private PrismProcess _prism = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Requires.Bubblewrap();
        Requires.Prism();
        Requires.Referee("e2b");
        // A key of E2B's own format ("e2b_" and 40 hex digits), which the client checks before sending it.
        var key = "e2b_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _emulator = new E2BEmulator(new EmulatorOptions { ApiKey = key, StateDir = TestEnvironment.StateDir, Isolation = "auto" });
        await _emulator.StartAsync();
        _prism = await PrismProcess.StartProxyAsync("specs/e2b/openapi.yml", _emulator.BaseUrl);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_prism is not null)
        {
            await _prism.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    [Test]
    public async Task The_vendors_client_runs_its_basic_flow_against_the_emulator()
    {
        var label = Guid.NewGuid().ToString("N")[..12];

        var steps = await RefereeScript.RunAsync("e2b", "e2b-basic.mjs", new Dictionary<string, string>
        {
            ["E2B_API_KEY"] = _emulator.Options.ApiKey,
            ["E2B_API_URL"] = _prism.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["E2B_SANDBOX_URL"] = _emulator.BaseUrl.AbsoluteUri.TrimEnd('/'),
            ["REFEREE_LABEL"] = label,
        });

        var id = steps["create"].GetString();
        Assert.That(id, Is.Not.Null.And.Not.Empty);
        var run = steps["run"];
        Assert.That(run.GetProperty("stdout").GetString(), Is.EqualTo("hello\n"));
        Assert.That(run.GetProperty("stderr").GetString(), Is.EqualTo("oops\n"));
        Assert.That(run.GetProperty("exitCode").GetInt32(), Is.EqualTo(3));
        Assert.That(steps["read"].GetString(), Is.EqualTo("written by the e2b client\n"));
        Assert.That(steps["list"].EnumerateArray().Select(e => e.GetString()), Does.Contain("referee.txt"));
        Assert.That(steps["listed"].EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { id }), "listed by its label");
        Assert.That(steps["after"].EnumerateArray(), Is.Empty, "killed");
        Assert.That(_prism.Output, Does.Not.Contain("VIOLATION").And.Not.Contain("✖"), "Prism found the traffic valid");
    }
}
