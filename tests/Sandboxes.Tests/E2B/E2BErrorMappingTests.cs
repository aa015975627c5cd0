using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// How the e2b adapter reports failures, through a private emulator behind Prism: E2B's own 401 for a wrong key, faults
/// injected into the control plane and into envd's Connect RPC, each mapped by the one shared mapper to the error a
/// caller handles; no API key in any message.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class E2BErrorMappingTests : TargetClientFixture<E2BTarget>
{
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task CreateSandboxAsync()
    {
        (_sandbox, _) = await Client.CreateSandboxAsync();
    }

    [Test]
    public async Task A_wrong_key_is_unauthorized_and_no_key_appears_in_the_error()
    {
        var wrongKey = "e2b_" + Guid.NewGuid().ToString("N");
        await using var client = new Sandboxer("e2b", Target.Config with { ApiKey = wrongKey }, Direct());

        var error = Assert.ThrowsAsync<UnauthorizedException>(() => client.ListSandboxesAsync());

        Assert.That(error!.Provider, Is.EqualTo("e2b"));
        Assert.That(error.ToString(), Does.Not.Contain(wrongKey).And.Not.Contain(Target.Config.ApiKey!));
        Assert.That(error.Message, Does.Contain("401"));
    }

    [Test]
    public void A_missing_key_is_bad_config_that_says_what_to_set()
    {
        Assume.That(Environment.GetEnvironmentVariable("E2B_API_KEY"), Is.Null, "E2B_API_KEY is set on this machine");
        using var client = new Sandboxer("e2b", Target.Config with { ApiKey = null }, Direct());

        Assert.That(() => client.ListSandboxes(), Throws.InstanceOf<BadConfigException>().With.Message.Contains("E2B_API_KEY"));
    }

    [TestCase(401, typeof(UnauthorizedException))]
    [TestCase(403, typeof(UnauthorizedException))]
    [TestCase(404, typeof(NotFoundException))]
    [TestCase(402, typeof(QuotaExceededException))]
    [TestCase(500, typeof(ProviderException))]
    [TestCase(503, typeof(ProviderException))]
    public void Control_plane_failures_map_to_typed_errors(int status, Type expected)
    {
        Target.Emulator.Faults.Plan("getSandboxesBySandboxID", new Fault { Status = status });

        var error = Assert.ThrowsAsync(Is.InstanceOf(expected), () => _sandbox.InfoAsync());

        Assert.That(error!.GetType(), Is.EqualTo(expected), "the most specific type, not a base of it");
        Assert.That(error.ToString(), Does.Not.Contain(Target.Config.ApiKey!));
        if (error is ProviderException provider)
        {
            Assert.That(provider.StatusCode, Is.EqualTo(status));
            Assert.That(provider.IsTransient, Is.EqualTo(status == 503));
        }
    }

    [Test]
    public void Rate_limiting_carries_the_wait_the_provider_asked_for()
    {
        Target.Emulator.Faults.Plan("postSandboxes", Fault.RateLimited(7));

        var error = Assert.ThrowsAsync<RateLimitException>(() => Client.CreateSandboxAsync());

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void A_sandbox_that_does_not_exist_is_not_found()
    {
        Assert.That(async () => await Client.AttachSandboxAsync("inotthere0000000000"), Throws.InstanceOf<NotFoundException>());
    }

    [TestCase(401, typeof(UnauthorizedException))]
    [TestCase(404, typeof(NotFoundException))]
    [TestCase(503, typeof(ProviderException))]
    public void Connect_failures_of_envd_map_to_the_same_typed_errors(int status, Type expected)
    {
        Target.Emulator.Faults.Plan("filesystem.Filesystem/ListDir", new Fault { Status = status });

        var error = Assert.ThrowsAsync(Is.InstanceOf(expected), () => _sandbox.ListDirectoryAsync("/tmp"));

        Assert.That(error!.GetType(), Is.EqualTo(expected));
        Assert.That(error.Message, Does.Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void A_rate_limited_envd_stream_is_a_rate_limit_with_its_wait()
    {
        Target.Emulator.Faults.Plan("process.Process/Start", Fault.RateLimited(3));

        var error = Assert.ThrowsAsync<RateLimitException>(() => _sandbox.RunCommandAsync("echo never"));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task A_dropped_envd_connection_on_a_live_sandbox_is_a_transient_provider_error()
    {
        Target.Emulator.Faults.Plan("filesystem.Filesystem/ListDir", new Fault { Abort = true });

        var error = Assert.ThrowsAsync<ProviderException>(() => _sandbox.ListDirectoryAsync("/tmp"));

        Assert.That(error!.IsTransient, Is.True);
        Assert.That(error.StatusCode, Is.Null);
        Assert.That(await _sandbox.ListDirectoryAsync("/tmp"), Is.Not.Null, "the next call goes through");
    }

    [Test]
    public async Task Envd_of_a_sandbox_killed_by_another_client_is_not_found()
    {
        var (doomed, _) = await Client.CreateSandboxAsync();
        Assert.That((await doomed.RunCommandAsync("echo alive")).Stdout, Is.EqualTo("alive\n"), "this client knows its envd now");
        await using var other = new Sandboxer("e2b", Target.Config, Direct());
        await other.KillSandboxAsync(doomed.Id);

        // envd answers 502 through E2B's proxy; the control plane then says the sandbox is gone.
        Assert.That(async () => await doomed.RunCommandAsync("echo"), Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await doomed.ReadFileAsync("/workspace/x"), Throws.InstanceOf<NotFoundException>().With.Message.Contains(doomed.Id));
    }
}
