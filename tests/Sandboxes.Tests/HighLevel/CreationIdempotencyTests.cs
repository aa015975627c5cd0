using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// Creating a sandbox is not idempotent on the wire; the creation label makes it safe: a sandbox whose creation outcome
/// is unknown is found and adopted, or killed, never duplicated or leaked.
/// </summary>
[TestFixture]
public sealed class CreationIdempotencyTests : FaultyProviderFixture
{
    private SandboxClient _client = null!;

    [SetUp]
    public void CreateClient() => _client = new SandboxClient(FaultyOptions());

    [TearDown]
    public async Task DisposeClientAsync() => await _client.DisposeAsync();

    [Test]
    public async Task A_lost_create_response_is_resolved_by_the_creation_label_without_a_second_create()
    {
        Server.Plan("create", Fault.LostResponse);

        var create = _client.CreateAsync(new SandboxOptions { Labels = new Dictionary<string, string> { ["team"] = "a" } });
        await TestClients.DriveAsync(create, Clock);
        await using var sandbox = await create;

        Assert.That(Server.Requests("create"), Is.EqualTo(1), "the sandbox was found, so it was not created again");
        Assert.That(Server.Sandboxes, Is.EqualTo(new[] { sandbox.Id }));
        var stored = await _client.GetSandboxer(sandbox.Provider).Adapter.GetSandboxAsync(sandbox.Id, CancellationToken.None);
        Assert.That(stored.Labels, Does.ContainKey("sandboxes.creation-id").And.ContainKey("team"), "the provider holds the creation label");
        Assert.That((await sandbox.InfoAsync()).Labels, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "a" }), "the user sees their own labels");
    }

    [Test]
    public async Task A_create_that_failed_before_doing_anything_is_simply_sent_again()
    {
        Server.Plan("create", new Fault { Status = 504 });

        var create = _client.CreateAsync();
        await TestClients.DriveAsync(create, Clock);
        await using var sandbox = await create;

        Assert.That(Server.Requests("create"), Is.EqualTo(2));
        Assert.That(Server.Sandboxes, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task When_every_attempt_has_an_unknown_outcome_the_sandboxes_made_are_killed_not_leaked()
    {
        // Every create does the work and loses the response, and the look-ups right after fail too: four sandboxes
        // exist on the server by the end, none adoptable.
        Server.Plan("create", Enumerable.Repeat(Fault.LostResponse, 4).ToArray());
        Server.Plan("list", Enumerable.Repeat(Fault.Unavailable, 4).ToArray());

        var create = _client.CreateAsync();
        await TestClients.DriveAsync(create, Clock);

        Assert.ThrowsAsync<ProviderException>(async () => await create);
        Assert.That(Server.Requests("create"), Is.EqualTo(4));
        Assert.That(Server.Sandboxes, Is.Empty, "the final sweep by creation label killed all of them");
    }

    [Test]
    public async Task An_adapter_with_idempotency_keys_retries_creation_with_the_same_key()
    {
        var provider = FaultyHttpProvider.Register("idem", idempotent: true);
        try
        {
            await using var client = new SandboxClient(TestClients.Faulty(provider, Server, Clock));
            Server.Plan("create", Fault.LostResponse, new Fault { Abort = true, AfterProcessing = true });

            var create = client.CreateAsync();
            await TestClients.DriveAsync(create, Clock);
            await using var sandbox = await create;

            Assert.That(Server.Requests("create"), Is.EqualTo(3), "retried freely: the key makes a repeat harmless");
            Assert.That(Server.Requests("list"), Is.EqualTo(0), "no label look-up is needed");
            Assert.That(Server.Sandboxes, Is.EqualTo(new[] { sandbox.Id }), "one sandbox, whatever the number of attempts");
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }
}
