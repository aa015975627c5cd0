using NUnit.Framework;
using Sandboxes.FaultInjection;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// Provider selection: explicit, code default, SANDBOXES_PROVIDER, config file, auto-detection in detection order with
/// credentials, local as last resort; the config file's format and location; the CLI resolving the same way.
/// </summary>
[TestFixture]
public sealed class SelectionTests
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly List<string> _registered = [];
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _environment.Clear();
        _dir = Directory.CreateTempSubdirectory("sbx-config-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _registered.ForEach(p => SandboxProviders.Unregister(p));
        _registered.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void Local_is_the_last_resort_when_no_credentials_are_found()
    {
        var resolution = Resolver().Resolve();

        Assert.That(resolution.Provider, Is.EqualTo("local"));
        Assert.That(resolution.Source, Is.EqualTo(ProviderSource.LastResort));
    }

    [Test]
    public void Auto_detection_follows_the_detection_order_of_providers_with_credentials()
    {
        var first = Register(detectionOrder: 1, variable: "SBX_TEST_FIRST_KEY");
        var second = Register(detectionOrder: 2, variable: "SBX_TEST_SECOND_KEY");

        _environment["SBX_TEST_SECOND_KEY"] = "x";
        var onlySecond = Resolver().Resolve();
        _environment["SBX_TEST_FIRST_KEY"] = "y";
        var both = Resolver().Resolve();

        Assert.That(onlySecond.Provider, Is.EqualTo(second));
        Assert.That(onlySecond.Source, Is.EqualTo(ProviderSource.AutoDetected));
        Assert.That(onlySecond.Reason, Is.EqualTo("SBX_TEST_SECOND_KEY is set"));
        Assert.That(both.Provider, Is.EqualTo(first), "lower detection order wins");
    }

    [Test]
    public void Credentials_in_the_config_file_count_for_auto_detection()
    {
        var provider = Register(detectionOrder: 1, variable: "SBX_TEST_UNSET_KEY");
        WriteConfig($$"""{ "providers": { "{{provider}}": { "apiKey": "k-123", "base_url": "http://127.0.0.1:1/" } } }""");

        var resolver = Resolver(useFile: true);

        Assert.That(resolver.Resolve().Provider, Is.EqualTo(provider));
        Assert.That(resolver.Resolve().Reason, Does.Contain("config.json"));
        Assert.That(resolver.GetConfig(provider).BaseUrl, Is.EqualTo(new Uri("http://127.0.0.1:1/")));
    }

    [Test]
    public void The_sources_rank_explicit_then_code_then_environment_then_file()
    {
        var fromFile = Register();
        var fromEnv = Register();
        var fromCode = Register();
        WriteConfig($$"""{ "defaultProvider": "{{fromFile}}" }""");

        Assert.That(Resolver(useFile: true).Resolve().Provider, Is.EqualTo(fromFile));
        _environment["SANDBOXES_PROVIDER"] = fromEnv;
        Assert.That(Resolver(useFile: true).Resolve(), Is.EqualTo(new ProviderResolution(fromEnv, ProviderSource.Environment, "SANDBOXES_PROVIDER is set")));
        Assert.That(Resolver(useFile: true, defaultProvider: fromCode).Resolve().Source, Is.EqualTo(ProviderSource.Configured));
        Assert.That(Resolver(useFile: true, defaultProvider: fromCode).Resolve("LOCAL"), Is.EqualTo(
            new ProviderResolution("local", ProviderSource.Explicit, "named by the call")));
    }

    [Test]
    public void An_unknown_provider_from_any_source_is_bad_config_naming_the_source()
    {
        _environment["SANDBOXES_PROVIDER"] = "nope";

        var error = Assert.Throws<BadConfigException>(() => Resolver().Resolve());

        Assert.That(error!.Message, Does.Contain("nope").And.Contain("SANDBOXES_PROVIDER").And.Contain("local"));
    }

    [Test]
    public void The_config_file_is_found_through_SANDBOXES_CONFIG_then_XDG_CONFIG_HOME_then_home()
    {
        _environment["HOME"] = "/home/u";
        Assert.That(SandboxConfigFile.DefaultPath(Env), Is.EqualTo("/home/u/.config/sandboxes/config.json"));
        _environment["XDG_CONFIG_HOME"] = "relative/is/ignored";
        Assert.That(SandboxConfigFile.DefaultPath(Env), Is.EqualTo("/home/u/.config/sandboxes/config.json"));
        _environment["XDG_CONFIG_HOME"] = "/xdg";
        Assert.That(SandboxConfigFile.DefaultPath(Env), Is.EqualTo("/xdg/sandboxes/config.json"));
        _environment["SANDBOXES_CONFIG"] = "/etc/sbx.json";
        Assert.That(SandboxConfigFile.DefaultPath(Env), Is.EqualTo("/etc/sbx.json"));
    }

    [Test]
    public void The_config_file_format_is_read_and_mistakes_name_the_file()
    {
        var file = SandboxConfigFile.Parse("""
            // comments are allowed
            { "default_provider": "local", "fallback": ["local"],
              "providers": { "local": { "state_dir": "/tmp/x", "isolation": "process", "default_timeout_ms": 1500 } }, }
            """, "c.json");

        Assert.That(file.DefaultProvider, Is.EqualTo("local"));
        Assert.That(file.Fallback, Is.EqualTo(new[] { "local" }));
        Assert.That(file.Providers["LOCAL"].GetExtra("stateDir"), Is.EqualTo("/tmp/x"));
        Assert.That(file.Providers["local"].DefaultTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(SandboxConfigFile.Load(Path.Combine(_dir, "absent.json")).DefaultProvider, Is.Null);

        Assert.That(Assert.Throws<BadConfigException>(() => SandboxConfigFile.Parse("{ nope", "/p/c.json"))!.Message, Does.Contain("/p/c.json"));
        Assert.That(Assert.Throws<BadConfigException>(() => SandboxConfigFile.Parse("""{ "providers": { "x": 3 } }""", "c.json"))!.Message,
            Does.Contain("providers.x"));
    }

    [Test]
    public void Api_keys_from_the_config_file_never_show_in_messages()
    {
        var file = SandboxConfigFile.Parse("""{ "providers": { "local": { "apiKey": "sk-very-secret-123456" } } }""", "c.json");

        Assert.That(file.Providers["local"].ToString(), Does.Not.Contain("sk-very-secret-123456"));
        Assert.That(new SandboxException("x", "failed with sk-very-secret-123456").Message, Does.Not.Contain("sk-very-secret-123456"));
    }

    [Test]
    public async Task The_cli_resolves_through_the_same_resolver()
    {
        var path = WriteConfig("""{ "defaultProvider": "no-such-provider-from-file" }""");

        var result = await Cli.RunAsync("list", "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), "Cli.RunAsync sets SANDBOXES_PROVIDER=local, which outranks the file");

        var viaFile = await RunCliWithConfigAsync(path, "list");
        Assert.That(viaFile.ExitCode, Is.EqualTo(2));
        Assert.That(viaFile.Stderr, Does.Contain("no-such-provider-from-file").And.Contain(path));
    }

    [Test]
    public void Options_are_validated_early_and_frozen_once_used()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxClientOptions().Resilience.Retry.MaxRetryAttempts = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxClientOptions().Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(10));
        Assert.Throws<BadConfigException>(() => _ = new SandboxClient(new SandboxClientOptions { DefaultProvider = "nope" }));

        var options = TestClients.Isolated();
        using var client = new SandboxClient(options);
        Assert.That(options.IsFrozen, Is.True);
        Assert.Throws<InvalidOperationException>(() => options.DefaultProvider = "local");
        Assert.Throws<InvalidOperationException>(() => options.Resilience.Timeouts.Attempt = TimeSpan.FromSeconds(1));
        Assert.That(options.Clone().IsFrozen, Is.False);
    }

    private async Task<Cli.Result> RunCliWithConfigAsync(string configPath, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Cli.Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("SANDBOXES_PROVIDER");
        start.Environment["SANDBOXES_CONFIG"] = configPath;
        start.Environment["SANDBOXES_STATE_DIR"] = TestEnvironment.StateDir;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Cli.Result(process.ExitCode, await stdout, await stderr);
    }

    private string? Env(string name) => _environment.GetValueOrDefault(name);

    private ProviderResolver Resolver(bool useFile = false, string? defaultProvider = null)
    {
        var options = new SandboxClientOptions
        {
            EnvironmentVariables = Env, UseConfigFile = useFile, ConfigFilePath = Path.Combine(_dir, "config.json"), DefaultProvider = defaultProvider,
        };
        return new ProviderResolver(options);
    }

    private string Register(int? detectionOrder = null, string? variable = null)
    {
        var id = FaultyHttpProvider.Register("sel", detectionOrder, variable is null ? null : [variable]);
        _registered.Add(id);
        return id;
    }

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }
}
