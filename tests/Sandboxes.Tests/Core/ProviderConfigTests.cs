using NUnit.Framework;

namespace Sandboxes.Tests.Core;

/// <summary>Configuration from dictionaries, as sandboxer users write it, and secrets that never show.</summary>
public sealed class ProviderConfigTests
{
    [TestCase("api_key", "base_url", "default_timeout_ms")]
    [TestCase("apiKey", "baseUrl", "defaultTimeoutMs")]
    [TestCase("ApiKey", "BaseUrl", "DefaultTimeoutMs")]
    public void Snake_and_camel_case_keys_fill_the_typed_fields(string keyName, string urlName, string timeoutName)
    {
        var config = ProviderConfig.FromDictionary(new Dictionary<string, object?>
        {
            [keyName] = "k-1234567890",
            [urlName] = "https://api.example.test",
            [timeoutName] = 1500,
            ["region"] = "eu",
            ["target_id"] = 7,
        });

        Assert.That(config.ApiKey, Is.EqualTo("k-1234567890"));
        Assert.That(config.BaseUrl, Is.EqualTo(new Uri("https://api.example.test")));
        Assert.That(config.DefaultTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(config.Extra.Keys, Is.EquivalentTo(new[] { "region", "target_id" }));
        Assert.That(config.GetExtra("Region"), Is.EqualTo("eu"));
        Assert.That(config.GetExtra("targetId"), Is.EqualTo("7"));
    }

    [Test]
    public void A_dictionary_reaches_the_provider_through_the_client_constructor()
    {
        var stateDir = Path.Combine(TestEnvironment.StateDir, "dict-config");
        using var client = new Sandboxer("local", new Dictionary<string, object?> { ["state_dir"] = stateDir, ["isolation"] = "process" });

        Assert.That(client.Adapter.Config.GetExtra("stateDir"), Is.EqualTo(stateDir));
        Assert.That(client.Provider, Is.EqualTo("local"));
    }

    [Test]
    public void A_wrongly_typed_value_is_a_bad_config_naming_the_key()
    {
        Assert.That(() => ProviderConfig.FromDictionary(new Dictionary<string, object?> { ["base_url"] = "not a url" }, "e2b"),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("base_url").And.Property(nameof(SandboxException.Provider)).EqualTo("e2b"));
        Assert.That(() => ProviderConfig.FromDictionary(new Dictionary<string, object?> { ["default_timeout_ms"] = "soon" }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("default_timeout_ms"));
    }

    [Test]
    public void The_api_key_never_appears_in_text()
    {
        const string key = "e2b_secretvalue_0123456789";
        var config = new ProviderConfig { ApiKey = key, BaseUrl = new Uri("https://api.e2b.app") };

        Assert.That(config.ToString(), Does.Not.Contain(key).And.Contain(SecretScrubber.Mask));
        var error = new ProviderException("e2b", $"request failed with header X-API-Key: {key}", 500, "internal", $"{{\"echo\":\"{key}\"}}");
        Assert.That(error.Message, Does.Not.Contain(key));
        Assert.That(error.ResponseBody, Does.Not.Contain(key));
        Assert.That(error.ToString(), Does.Not.Contain(key));
    }

    [Test]
    public void Credential_shapes_are_masked_even_when_never_registered()
    {
        var text = SecretScrubber.Scrub("Authorization: Bearer abcdef123456789 and api_key=zzzz9999yyyy and \"token\": \"qqqqwwwweeee\"");

        Assert.That(text, Does.Not.Contain("abcdef123456789").And.Not.Contain("zzzz9999yyyy").And.Not.Contain("qqqqwwwweeee"));
    }
}
