using NUnit.Framework;
using Sandboxes.Testing;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Referees;

/// <summary>
/// Daytona's own client (the npm package <c>@daytonaio/sdk</c>, pinned in scripts/referees to the SDK version of the
/// spec in specs/daytona) runs its basic flow against the Daytona emulator, behind Prism validating the control plane
/// and the toolbox against Daytona's specs: create with labels, a command's output and exit code, a file uploaded,
/// downloaded and listed, listing by labels, delete.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class DaytonaRefereeTests
{
    private readonly DaytonaTarget _target = new();

    [OneTimeSetUp]
    public async Task Start()
    {
        Requires.Bubblewrap();
        Requires.Referee("@daytonaio/sdk");
        await _target.EnsureStartedAsync();
    }

    [OneTimeTearDown]
    public Task Stop() => _target.StopAsync();

    [Test]
    public async Task The_vendors_client_runs_its_basic_flow_against_the_emulator()
    {
        var label = Guid.NewGuid().ToString("N")[..12];

        var steps = await RefereeScript.RunAsync("@daytonaio/sdk", "daytona-basic.mjs", new Dictionary<string, string>
        {
            ["DAYTONA_API_KEY"] = _target.Emulator.Options.ApiKey,
            ["DAYTONA_API_URL"] = _target.Prism.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["REFEREE_LABEL"] = label,
        });

        var id = steps["create"].GetString();
        Assert.That(id, Is.Not.Null.And.Not.Empty);
        Assert.That(steps["run"].GetProperty("result").GetString(), Is.EqualTo("hello\n"));
        Assert.That(steps["run"].GetProperty("exitCode").GetInt32(), Is.EqualTo(3));
        Assert.That(steps["read"].GetString(), Is.EqualTo("written by the daytona client\n"));
        Assert.That(steps["list"].EnumerateArray().Select(e => e.GetString()), Does.Contain("referee.txt"));
        Assert.That(steps["listed"].EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { id }), "listed by its label");
        Assert.That(steps["after"].EnumerateArray(), Is.Empty, "deleted");
        // The client also opens Daytona's event channel (socket.io at the API's root), which api.json does not describe
        // and the emulator does not serve; the client carries on without it, and Prism reports those requests unmatched.
        var problems = _target.Prism.Output.Split('\n')
            .Where(line => (line.Contains("VIOLATION", StringComparison.Ordinal) || line.Contains('✖')) && !line.Contains("/socket.io/", StringComparison.Ordinal));
        Assert.That(problems, Is.Empty, "Prism found the traffic valid");
    }
}
