using NUnit.Framework;

namespace Sandboxes.Cli.Tests.Units;

/// <summary>Each typed error maps to its documented exit code and a hint; missing or refused credentials name the variable.</summary>
[TestFixture]
public sealed class ErrorReporterTests
{
    private const string Provider = "cli-test-cloud";

    private static IEnumerable<TestCaseData> Errors()
    {
        yield return new TestCaseData(new BadConfigException("", "bad"), ExitCodes.Usage, null).SetName("bad config: 2");
        yield return new TestCaseData(new InvalidSandboxPathException("local", "/x", "outside"), ExitCodes.Usage, null).SetName("bad path: 2");
        yield return new TestCaseData(new SandboxTimeoutException("local", "slow", TimeSpan.FromSeconds(1)), ExitCodes.Timeout, "-t/--timeout").SetName("timeout: 124");
        yield return new TestCaseData(new NotFoundException("local", "gone"), ExitCodes.ProviderError, "sandboxes list").SetName("not found: 125");
        yield return new TestCaseData(new FeatureNotSupportedException("local", Capability.Images), ExitCodes.ProviderError, "sandboxes providers").SetName("unsupported: 125");
        yield return new TestCaseData(new SandboxStateException("local", "sbx-1", SandboxStatus.Paused, "paused"), ExitCodes.ProviderError, "sandboxes resume sbx-1")
            .SetName("paused: 125, resume hint");
        yield return new TestCaseData(new RateLimitException("e2b", "slow down", TimeSpan.FromSeconds(30)), ExitCodes.ProviderError, "retry after 30 s").SetName("rate limit: 125");
        yield return new TestCaseData(new ProviderException("e2b", "boom", 500), ExitCodes.ProviderError, null).SetName("provider: 125");
        yield return new TestCaseData(new UnauthorizedException(Provider, "refused"), ExitCodes.ProviderError, "set CLI_TEST_CLOUD_KEY").SetName("unauthorized: 125, names the variable");
    }

    [OneTimeSetUp]
    public void RegisterACloudThatNeedsAKey() =>
        SandboxProviders.Register(new ProviderDescriptor(Provider, "CLI Test Cloud", [])
        {
            CredentialVariables = ["CLI_TEST_CLOUD_KEY"],
        }, _ => throw new NotSupportedException("never created"));

    [OneTimeTearDown]
    public void Unregister() => SandboxProviders.Unregister(Provider);

    [TestCaseSource(nameof(Errors))]
    public void Maps_to_its_exit_code_and_hint(Exception error, int code, string? hint)
    {
        var (actual, actualHint) = ErrorReporter.Classify(error);

        Assert.That(actual, Is.EqualTo(code));
        if (hint is null)
        {
            Assert.That(actualHint, Is.Null);
        }
        else
        {
            Assert.That(actualHint, Does.Contain(hint));
        }
    }

    [Test]
    public void A_refused_key_that_is_set_is_reported_as_refused_not_missing()
    {
        var hint = ErrorReporter.CredentialHint(Provider, name => name == "CLI_TEST_CLOUD_KEY" ? "k" : null);

        Assert.That(hint, Is.EqualTo("the key in CLI_TEST_CLOUD_KEY was refused: check it"));
    }

    [Test]
    public async Task A_provider_without_its_credentials_fails_before_any_call_naming_the_variable_and_the_config_file()
    {
        await using var session = CliSession.Open(Provider);

        Assert.That(() => session.Sandboxer(),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("set CLI_TEST_CLOUD_KEY").And.Message.Contains("config.json").Or.Message.Contains("apiKey"));
        Assert.That(session.CredentialStatus(SandboxProviders.Describe(Provider)), Is.EqualTo(CredentialStatus.Missing));
    }

    [Test]
    public void Ctrl_C_and_SIGTERM_read_as_what_they_are()
    {
        var (code, _) = ErrorReporter.Classify(new OperationCanceledException());

        Assert.That(code, Is.EqualTo(ExitCodes.Interrupted), "130 unless a signal said otherwise");
    }
}
