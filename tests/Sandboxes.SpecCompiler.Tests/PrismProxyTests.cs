using NUnit.Framework;
using Sandboxes.Http;
using Sandboxes.SpecCompiler.Tests.Generated.Behaviour;
using Sandboxes.SpecCompiler.Tests.Support;
using Sandboxes.Testing;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// <see cref="PrismProcess"/> in proxy mode, as the cloud adapters use it: Prism sits between a generated client and a
/// real server and fails any request or response that breaks the spec.
/// </summary>
[TestFixture]
[Category("Prism")]
[NonParallelizable]
public sealed class PrismProxyTests
{
    private BehaviourServer _server = null!;
    private PrismProcess _prism = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Requires.Prism();
        _server = await BehaviourServer.StartAsync();
        var spec = Path.Combine(Requires.RepositoryRoot, "tests", "Sandboxes.SpecCompiler.Tests", "TestSpecs", "behaviour.yaml");
        _prism = await PrismProcess.StartProxyAsync(spec, new Uri($"http://127.0.0.1:{_server.Port}/v1"));
        _http = new HttpClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http?.Dispose();
        if (_prism is not null)
        {
            await _prism.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private IBehaviourApi Client() =>
        ProviderClients.For<IBehaviourApi>(_http, _prism.BaseAddress, "behaviour", BehaviourJsonContext.Default, headers: [new("X-API-Key", "proxy-key-123456")]);

    [Test]
    public async Task A_conforming_call_passes_through_to_the_server()
    {
        var echo = await Client().SearchAsync(tags: ["a"], ids: [1, 2], state: State.Running.Value);
        // Prism re-encodes what it forwards (the comma becomes %2C); decoded, it is what the client sent.
        Assert.That(Uri.UnescapeDataString(echo.RawTarget!), Is.EqualTo("/v1/search?tags=a&ids=1,2&state=running"), _prism.Output);
        Assert.That(await Client().GetTextAsync(), Is.EqualTo("plain text ✓"));
    }

    [Test]
    public void A_request_that_breaks_the_spec_is_refused_with_422()
    {
        // Not expressible through the typed interface (ids are numbers there): sent through the same handlers by hand.
        using var http = ProviderClients.CreateHttpClient(_http, new Uri(_prism.BaseAddress.AbsoluteUri.TrimEnd('/') + "/"), "behaviour");
        var error = Assert.CatchAsync<ProviderException>(async () => await http.GetAsync(new Uri("search?ids=not-a-number", UriKind.Relative)));
        Assert.That(error!.StatusCode, Is.EqualTo(422));
        Assert.That(error.ResponseBody, Does.Contain("ids"));
    }

    [Test]
    public void A_response_that_breaks_the_spec_is_reported_as_a_violation()
    {
        // The server answers state "hibernating", which the spec's enum does not list: Prism --errors turns that into a 500.
        var error = Assert.CatchAsync<ProviderException>(async () => await Client().GetItemAsync("abc"));
        Assert.That(error!.StatusCode, Is.EqualTo(500));
        Assert.That(error.ResponseBody, Does.Contain("state"));
    }

    [Test]
    public void The_process_is_gone_after_dispose()
    {
        var process = PrismProcess.StartMockAsync(Path.Combine(Requires.RepositoryRoot, "tests", "Sandboxes.SpecCompiler.Tests", "TestSpecs", "behaviour.yaml"))
            .GetAwaiter().GetResult();
        Assert.That(process.IsRunning, Is.True);
        var port = process.Port;
        process.Dispose();
        using var probe = new System.Net.Sockets.TcpClient();
        Assert.That(() => probe.Connect("127.0.0.1", port), Throws.InstanceOf<System.Net.Sockets.SocketException>());
    }
}
