using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sandboxes.Emulators;
using Sandboxes.Emulators.E2B;
using Sandboxes.Testing;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// The access token of a sandbox's envd is scrubbed from messages while the client serves the sandbox, and released when
/// the sandbox is disposed or the client is: a long-running service does not collect every token it ever saw.
/// </summary>
[TestFixture]
[NonParallelizable] // counts the process-wide set of secrets
public sealed class E2BTokenScopeTests
{
    [Test]
    public async Task Ten_thousand_sandboxes_created_and_disposed_leave_the_scrubber_at_its_starting_size()
    {
        // The control plane answered in memory: what is measured is the adapter's registration, not an emulator's speed.
        var plane = new InMemoryControlPlane();
        var config = new ProviderConfig
        {
            ApiKey = "e2b_" + Guid.NewGuid().ToString("N"),
            BaseUrl = new Uri("http://api.e2b.test/"),
            HttpClient = new HttpClient(plane),
            Extra = new Dictionary<string, object?> { ["sandbox_url"] = "http://envd.e2b.test/" },
        };
        var before = SecretScrubber.Count;

        await using (var client = new Sandboxer("e2b", config))
        {
            for (var i = 0; i < 10_000; i++)
            {
                var (sandbox, _) = await client.CreateSandboxAsync();
                if (i == 0)
                {
                    Assert.That(SecretScrubber.IsRegistered(plane.Tokens[0]), Is.True, "a live sandbox's token is scrubbed");
                }

                await sandbox.DisposeAsync();
            }

            TestContext.Out.WriteLine($"secrets registered: {before} before, {SecretScrubber.Count} after 10,000 sandboxes");
            Assert.That(SecretScrubber.Count, Is.EqualTo(before));

            var (kept, _) = await client.CreateSandboxAsync(new CreateSandboxRequest { Keep = true });
            Assert.That(SecretScrubber.IsRegistered(plane.Tokens[^1]), Is.True);
            Assert.That(kept.KillOnDispose, Is.False);
        }

        Assert.That(plane.Tokens, Has.Count.EqualTo(10_001));
        Assert.That(plane.Tokens.Where(SecretScrubber.IsRegistered), Is.Empty, "the kept sandbox's token goes with its client");
        Assert.That(SecretScrubber.Count, Is.EqualTo(before));
    }

    [Test]
    public async Task Through_the_emulator_a_disposed_sandboxs_token_is_released_and_a_live_ones_still_scrubbed()
    {
        Requires.Bubblewrap();
        await using var emulator = new E2BEmulator(new EmulatorOptions { StateDir = TestEnvironment.StateDir });
        await emulator.StartAsync();
        var config = new ProviderConfig
        {
            ApiKey = emulator.Options.ApiKey,
            BaseUrl = emulator.BaseUrl,
            Extra = new Dictionary<string, object?> { ["sandbox_url"] = emulator.BaseUrl.AbsoluteUri, ["workdir"] = "/workspace" },
        };

        await using var client = new Sandboxer("e2b", config);
        var (gone, _) = await client.CreateSandboxAsync();
        var (live, _) = await client.CreateSandboxAsync();
        LeakCheck.Record(gone.Id);
        LeakCheck.Record(live.Id);
        var goneToken = await TokenAsync(emulator, gone.Id);
        var liveToken = await TokenAsync(emulator, live.Id);
        Assert.That((await live.RunCommandAsync("echo up")).Stdout, Is.EqualTo("up\n"), "envd answers with the token");

        await gone.DisposeAsync();

        Assert.That(SecretScrubber.IsRegistered(goneToken), Is.False, "the disposed sandbox's token is released");
        Assert.That(SecretScrubber.Scrub("failed with " + liveToken), Is.EqualTo("failed with " + SecretScrubber.Mask), "the live one is still scrubbed");
        Assert.That((await live.RunCommandAsync("echo still")).Stdout, Is.EqualTo("still\n"));
        await live.DisposeAsync();
        Assert.That(SecretScrubber.IsRegistered(liveToken), Is.False);
    }

    /// <summary>The sandbox's envd token as E2B's API reports it (read by hand, not through the adapter).</summary>
    private static async Task<string> TokenAsync(E2BEmulator emulator, string sandboxId)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "sandboxes/" + sandboxId);
        request.Headers.Add("X-API-Key", emulator.Options.ApiKey);
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["envdAccessToken"]!.GetValue<string>();
    }

    /// <summary>E2B's create and kill, answered in memory, each sandbox with an access token of its own.</summary>
    private sealed class InMemoryControlPlane : HttpMessageHandler
    {
        private int _next;

        public List<string> Tokens { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Post && path == "/sandboxes")
            {
                var id = "i" + Interlocked.Increment(ref _next).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
                var token = "ea_" + Guid.NewGuid().ToString("N");
                lock (Tokens)
                {
                    Tokens.Add(token);
                }

                var body = $$"""{"templateID":"base","sandboxID":"{{id}}","clientID":"c","envdVersion":"0.2.0","envdAccessToken":"{{token}}"}""";
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            }

            if (request.Method == HttpMethod.Delete && path.StartsWith("/sandboxes/", StringComparison.Ordinal))
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"code":404,"message":"not scripted"}""") });
        }
    }
}
