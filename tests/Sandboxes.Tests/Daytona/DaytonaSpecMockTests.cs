using System.Diagnostics;
using System.Text;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Daytona;

/// <summary>
/// The daytona adapter against <c>prism mock</c> of Daytona's own, unmodified specs, with no emulator: <c>api.json</c>
/// for the control plane and <c>toolbox.json</c> for the toolbox. The mock repeats its examples: the same sandbox (in
/// state <c>creating</c>, for ever), the same <c>nextCursor: "string"</c> on every page. Every call must still end, with
/// a result or a typed error. The examples name Daytona's real toolbox proxy
/// (<c>https://proxy.app.daytona.io/toolbox</c>); <see cref="ToolboxOnThisMachine"/> points that one URL at the toolbox
/// mock, so that nothing leaves the machine.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class DaytonaSpecMockTests
{
    private PrismProcess _api = null!;
    private PrismProcess _toolbox = null!;
    private HttpClient _http = null!;
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task StartMocksAsync()
    {
        Requires.Prism();
        _api = await PrismProcess.StartMockAsync("specs/daytona/api.json");
        _toolbox = await PrismProcess.StartMockAsync("specs/daytona/toolbox.json");
        _http = new HttpClient(new ToolboxOnThisMachine(_api.BaseAddress, _toolbox.BaseAddress) { InnerHandler = new SocketsHttpHandler() });
        _client = new Sandboxer("daytona", new ProviderConfig
        {
            ApiKey = "dtn_0123456789abcdef0123456789abcdef",
            BaseUrl = _api.BaseAddress,
            HttpClient = _http,
            // The mock's sandbox is "creating" for ever: waits for a state end at this bound (60 s by default), typed.
            Extra = new Dictionary<string, object?> { ["state_timeout"] = 3 },
        });
        _sandbox = new Sandbox(_client.Adapter, "sandbox123", killOnDispose: false);
    }

    [OneTimeTearDown]
    public async Task StopMocksAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        _http?.Dispose();
        _api?.Dispose();
        _toolbox?.Dispose();
    }

    [Test]
    public async Task ListSandboxes_ends_within_seconds_although_every_page_offers_the_same_cursor()
    {
        var before = Requests("get /sandbox");
        var clock = Stopwatch.StartNew();

        var listed = await _client.ListSandboxesAsync().WaitAsync(SpecMockOperations.Bound);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(listed.Select(s => s.Id), Is.EqualTo(new[] { "sandbox123" }), "the example sandbox, once, although every page served it");
        Assert.That(await RequestsAfterAsync("get /sandbox", before, 2), Is.EqualTo(2),
            "the first page, then the page of the repeated cursor, which is recognised\n" + SpecMockOperations.Tail(_api.Output));
    }

    [Test]
    public async Task ListSandboxes_keeps_the_callers_limit_and_filters_against_the_repeating_mock()
    {
        var one = await _client.ListSandboxesAsync(new ListSandboxesFilter { Limit = 1 }).WaitAsync(SpecMockOperations.Bound);
        var paused = await _client.ListSandboxesAsync(new ListSandboxesFilter { Status = SandboxStatus.Paused }).WaitAsync(SpecMockOperations.Bound);

        Assert.That(one, Has.Count.EqualTo(1));
        Assert.That(paused, Is.Empty, "the example sandbox is creating, not paused");
    }

    [Test]
    public async Task ListSnapshots_ends_within_seconds()
    {
        var clock = Stopwatch.StartNew();

        var listed = await _client.ListSnapshotsAsync().WaitAsync(SpecMockOperations.Bound);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(listed.Select(s => s.Id).Distinct().Count(), Is.EqualTo(listed.Count), "no snapshot twice");
    }

    [TestCaseSource(typeof(SpecMockOperations), nameof(SpecMockOperations.Names))]
    public async Task Every_operation_ends_with_a_result_or_a_typed_error(string operation)
    {
        var error = await SpecMockOperations.AssertEndsWithResultOrTypedErrorAsync(operation, _client, _sandbox,
            () => "control plane:\n" + SpecMockOperations.Tail(_api.Output) + "\ntoolbox:\n" + SpecMockOperations.Tail(_toolbox.Output));

        TestContext.Out.WriteLine(error is null ? $"{operation}: returned" : $"{operation}: {error.GetType().Name}: {error.Message}");
    }

    /// <summary>How many requests Prism logged for <paramref name="route"/> (<c>get /sandbox</c>), query strings aside.</summary>
    private int Requests(string route) =>
        _api.Output.Split('\n').Count(l => l.Contains($"[HTTP SERVER] {route} ", StringComparison.Ordinal) && l.Contains("Request received", StringComparison.Ordinal));

    /// <summary>The requests for <paramref name="route"/> since <paramref name="before"/>, once Prism's log shows <paramref name="expected"/> (or after 3 s).</summary>
    private async Task<int> RequestsAfterAsync(string route, int before, int expected)
    {
        // Prism's log reaches us through a pipe, a moment after its answer.
        var clock = Stopwatch.StartNew();
        while (Requests(route) - before < expected && clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(50);
        }

        return Requests(route) - before;
    }

    /// <summary>
    /// Keeps the toolbox on this machine: the control plane's answers name the toolbox mock instead of Daytona's proxy (so
    /// WebSockets, which bypass this client, reach the mock too), and a toolbox request
    /// (<c>{proxy}/toolbox/{sandboxId}/PATH</c>, as the SDKs address it) goes to the mock's <c>/PATH</c>.
    /// </summary>
    private sealed class ToolboxOnThisMachine(Uri api, Uri toolbox) : DelegatingHandler
    {
        private const string DaytonaProxy = "https://proxy.app.daytona.io/toolbox";

        private readonly string _local = toolbox.AbsoluteUri.TrimEnd('/') + "/toolbox";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!;
            if (url.Authority == toolbox.Authority && url.AbsolutePath.StartsWith("/toolbox/", StringComparison.Ordinal))
            {
                var path = url.AbsolutePath["/toolbox/".Length..];
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                request.RequestUri = new Uri(toolbox, (slash < 0 ? "/" : path[slash..]) + url.Query);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (url.Authority != api.Authority || response.Content is null)
            {
                return response;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains(DaytonaProxy, StringComparison.Ordinal))
            {
                var type = response.Content.Headers.ContentType;
                response.Content = new StringContent(body.Replace(DaytonaProxy, _local, StringComparison.Ordinal), Encoding.UTF8);
                response.Content.Headers.ContentType = type;
            }

            return response;
        }
    }
}
