using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Daytona;

/// <summary>
/// Every failure of the daytona adapter is a typed error: the emulator's own answers (a wrong key, a missing sandbox, an
/// exhausted quota) and injected faults (429 with Retry-After, 403, 500, 503, dropped connections, slow answers), on the
/// control plane and on the toolbox, always through Prism. No message carries the key.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class DaytonaErrorTests : TargetClientFixture<DaytonaTarget>
{
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task CreateSandboxAsync()
    {
        (_sandbox, _) = await Client.CreateSandboxAsync();
    }

    [TearDown]
    public void ClearFaults()
    {
        Target.Daytona.Faults.Delay = TimeSpan.Zero;
        Target.Daytona.EchoCredentialsInErrors = false;
    }

    [Test]
    public async Task A_wrong_key_is_unauthorized_on_the_control_plane_and_on_the_toolbox_and_never_shown()
    {
        const string wrongKey = "dtn_wrong-key-0123456789abcdef";
        await using var wrong = new Sandboxer("daytona", Target.Config with { ApiKey = wrongKey }, Direct());

        var create = Assert.CatchAsync<UnauthorizedException>(async () => await wrong.CreateSandboxAsync());
        var list = Assert.CatchAsync<UnauthorizedException>(async () => await wrong.ListSandboxesAsync());
        var toolbox = Assert.CatchAsync<UnauthorizedException>(async () => await wrong.Adapter.RunCommandAsync(_sandbox.Id, new RunCommandRequest("true"), default));

        Assert.That(create!.Message, Does.Contain("401"));
        foreach (var error in new Exception[] { create, list!, toolbox! })
        {
            Assert.That(error.ToString(), Does.Not.Contain(wrongKey).And.Not.Contain(Target.Daytona.Options.ApiKey));
        }

        Assert.That((await _sandbox.RunCommandAsync("echo ok")).Stdout, Is.EqualTo("ok\n"), "the right key still works");
    }

    [TestCase(401, typeof(UnauthorizedException))]
    [TestCase(403, typeof(UnauthorizedException))]
    [TestCase(404, typeof(NotFoundException))]
    [TestCase(429, typeof(RateLimitException))]
    [TestCase(500, typeof(ProviderException))]
    [TestCase(503, typeof(ProviderException))]
    public void Errors_are_typed_and_keep_the_key_out_even_when_the_server_repeats_it(int status, Type expected)
    {
        // The emulator writes the credential it received into each error, as a careless server might.
        Target.Daytona.EchoCredentialsInErrors = true;
        var fault = new Fault { Status = status, RetryAfterSeconds = status == 429 ? 1 : null };
        Target.Daytona.Faults.Plan("getSandbox", fault);
        Target.Daytona.Faults.Plan("ListFiles", fault);

        var controlPlane = Assert.CatchAsync(async () => await _sandbox.InfoAsync());
        var toolbox = Assert.CatchAsync(async () => await _sandbox.ListDirectoryAsync("/workspace"));

        foreach (var error in new[] { controlPlane!, toolbox! })
        {
            var shown = error + " " + (error as ProviderException)?.ResponseBody;
            Assert.That(error, Is.InstanceOf(expected));
            Assert.That(shown, Does.Not.Contain(Target.Daytona.Options.ApiKey));
            Assert.That(shown, Does.Contain("credential received: ***"), "the server did repeat it, masked on the way");
        }
    }

    [Test]
    public void Forbidden_is_unauthorized()
    {
        Target.Daytona.Faults.Plan("getSandbox", new Fault { Status = 403 });

        Assert.That(async () => await Client.AttachSandboxAsync(_sandbox.Id), Throws.InstanceOf<UnauthorizedException>());
    }

    [Test]
    public void A_missing_sandbox_is_not_found_on_both_apis()
    {
        Assert.That(async () => await Client.AttachSandboxAsync("0f0f0f0f-0000-4000-8000-000000000000"), Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await Client.Adapter.RunCommandAsync("0f0f0f0f-0000-4000-8000-000000000000", new RunCommandRequest("true"), default),
            Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public void Too_many_requests_is_a_rate_limit_with_its_retry_after()
    {
        Target.Daytona.Faults.Plan("listSandboxes", Fault.RateLimited(3));

        var error = Assert.CatchAsync<RateLimitException>(async () => await Client.ListSandboxesAsync());

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void A_toolbox_rate_limit_is_a_rate_limit_too()
    {
        Target.Daytona.Faults.Plan("ExecuteCommand", Fault.RateLimited(2));

        var error = Assert.CatchAsync<RateLimitException>(async () => await _sandbox.RunCommandAsync("echo"));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task An_exhausted_cpu_quota_is_quota_exceeded()
    {
        Target.Daytona.CpuQuota = 1;
        try
        {
            await using var big = new Sandboxer("daytona", Target.Config.WithExtra("cpu", 4), Direct());

            var error = Assert.CatchAsync<QuotaExceededException>(async () => await big.CreateSandboxAsync());

            Assert.That(error!.Message, Does.Contain("Total CPU limit exceeded"));
        }
        finally
        {
            Target.Daytona.CpuQuota = null;
        }
    }

    [TestCase(500, false)]
    [TestCase(503, true)]
    public void Server_errors_are_provider_errors_with_their_status(int status, bool transient)
    {
        Target.Daytona.Faults.Plan("getSandbox", new Fault { Status = status });

        var error = Assert.CatchAsync<ProviderException>(async () => await _sandbox.InfoAsync());

        Assert.That(error!.StatusCode, Is.EqualTo(status));
        Assert.That(error.IsTransient, Is.EqualTo(transient));
    }

    [Test]
    public void A_toolbox_server_error_on_a_running_sandbox_stays_a_provider_error()
    {
        Target.Daytona.Faults.Plan("ListFiles", new Fault { Status = 500 });

        var error = Assert.CatchAsync<ProviderException>(async () => await _sandbox.ListDirectoryAsync("/workspace"));

        Assert.That(error!.StatusCode, Is.EqualTo(500));
    }

    [Test]
    public void A_dropped_connection_is_a_provider_error()
    {
        Target.Daytona.Faults.Plan("getSandbox", new Fault { Abort = true });

        Assert.That(async () => await _sandbox.InfoAsync(), Throws.InstanceOf<ProviderException>());
    }

    [Test]
    public async Task A_slow_answer_past_the_client_timeout_is_a_transient_timeout()
    {
        await using var impatient = new Sandboxer("daytona", Target.Config with { DefaultTimeout = TimeSpan.FromMilliseconds(500) }, Direct());
        Target.Daytona.Faults.Delay = TimeSpan.FromSeconds(3);

        var error = Assert.CatchAsync<ProviderException>(async () => await impatient.ListSandboxesAsync());

        Assert.That(error!.StatusCode, Is.EqualTo(408));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void Commands_on_a_paused_sandbox_say_so_and_files_still_read()
    {
        Assert.That(async () =>
        {
            var (paused, _) = await Client.CreateSandboxAsync();
            await paused.WriteTextAsync("/workspace/a.txt", "a");
            await paused.PauseAsync();
            try
            {
                Assert.That(await paused.ReadTextAsync("/workspace/a.txt"), Is.EqualTo("a"));
                await paused.RunCommandAsync("true");
            }
            finally
            {
                await paused.KillAsync();
            }
        }, Throws.InstanceOf<SandboxStateException>().With.Property(nameof(SandboxStateException.Status)).EqualTo(SandboxStatus.Paused));
    }
}
