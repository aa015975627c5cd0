using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// The e2b adapter against <c>prism mock</c> of E2B's own, unmodified specs, with no emulator: <c>openapi.yml</c> for the
/// control plane and <c>envd.yaml</c> for envd (reached through <c>sandbox_url</c>, as with <c>E2B_SANDBOX_URL</c>;
/// envd's Connect RPC, which no spec describes, gets the mock's refusals). The mock repeats its examples, the
/// <c>X-Next-Token: string</c> header of every list among them: every call must still end, with a result or a typed error.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class E2BSpecMockTests
{
    private PrismProcess _api = null!;
    private PrismProcess _envd = null!;
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task StartMocksAsync()
    {
        Requires.Prism();
        _api = await PrismProcess.StartMockAsync("specs/e2b/openapi.yml");
        _envd = await PrismProcess.StartMockAsync("specs/e2b/envd/envd.yaml");
        _client = new Sandboxer("e2b", new ProviderConfig
        {
            ApiKey = "e2b_0123456789abcdef0123456789abcdef",
            BaseUrl = _api.BaseAddress,
            Extra = new Dictionary<string, object?> { ["sandbox_url"] = _envd.BaseAddress.AbsoluteUri },
        });
        _sandbox = new Sandbox(_client.Adapter, "sbx-mocked", killOnDispose: false);
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

        _api?.Dispose();
        _envd?.Dispose();
    }

    [Test]
    public async Task ListSandboxes_ends_within_seconds_although_every_page_offers_the_same_next_token()
    {
        var before = Requests("get /v2/sandboxes");
        var clock = Stopwatch.StartNew();

        var listed = await _client.ListSandboxesAsync().WaitAsync(SpecMockOperations.Bound);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(listed.Select(s => s.Id), Is.EqualTo(new[] { "string" }), "the example sandbox, once, although every page served it");
        Assert.That(await RequestsAfterAsync("get /v2/sandboxes", before, 2), Is.EqualTo(2),
            "the first page, then the page of the repeated token, which is recognised\n" + SpecMockOperations.Tail(_api.Output));
    }

    [Test]
    public async Task ListSandboxes_keeps_the_callers_limit_and_filters_against_the_repeating_mock()
    {
        var one = await _client.ListSandboxesAsync(new ListSandboxesFilter { Limit = 1 }).WaitAsync(SpecMockOperations.Bound);
        var running = await _client.ListSandboxesAsync(new ListSandboxesFilter { Status = SandboxStatus.Running }).WaitAsync(SpecMockOperations.Bound);

        Assert.That(one, Has.Count.EqualTo(1));
        Assert.That(running.Select(s => s.Status), Is.All.EqualTo(SandboxStatus.Running));
    }

    [Test]
    public async Task ListSnapshots_ends_within_seconds_although_every_page_offers_the_same_next_token()
    {
        var before = Requests("get /snapshots");
        var clock = Stopwatch.StartNew();

        var listed = await _client.ListSnapshotsAsync().WaitAsync(SpecMockOperations.Bound);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(listed.Select(s => s.Id).Distinct().Count(), Is.EqualTo(listed.Count), "no snapshot twice");
        Assert.That(await RequestsAfterAsync("get /snapshots", before, 2), Is.EqualTo(2), SpecMockOperations.Tail(_api.Output));
    }

    [TestCaseSource(typeof(SpecMockOperations), nameof(SpecMockOperations.Names))]
    public async Task Every_operation_ends_with_a_result_or_a_typed_error(string operation)
    {
        var error = await SpecMockOperations.AssertEndsWithResultOrTypedErrorAsync(operation, _client, _sandbox,
            () => "control plane:\n" + SpecMockOperations.Tail(_api.Output) + "\nenvd:\n" + SpecMockOperations.Tail(_envd.Output));

        TestContext.Out.WriteLine(error is null ? $"{operation}: returned" : $"{operation}: {error.GetType().Name}: {error.Message}");
    }

    /// <summary>How many requests Prism logged for <paramref name="route"/> (<c>get /snapshots</c>), query strings aside.</summary>
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
}
