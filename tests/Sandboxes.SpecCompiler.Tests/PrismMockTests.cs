using NUnit.Framework;
using Refit;
using Sandboxes.Http;
using Sandboxes.Testing;
using E2B = Sandboxes.SpecCompiler.Tests.Generated.E2B;
using Daytona = Sandboxes.SpecCompiler.Tests.Generated.Daytona;
using Docker = Sandboxes.SpecCompiler.Tests.Generated.Docker;
using Envd = Sandboxes.SpecCompiler.Tests.Generated.Envd;
using Jupyter = Sandboxes.SpecCompiler.Tests.Generated.Jupyter;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// Refit clients compiled from the E2B, envd, Docker, Jupyter and Daytona specs call <c>prism mock</c> of the same spec:
/// Prism answers 422 to any request that breaks the spec and serves the spec's example responses, which the generated
/// models must read. Credentials travel as default headers, as the adapters send them.
/// </summary>
[TestFixture]
[Category("Prism")]
[NonParallelizable]
public sealed class PrismMockTests
{
    private static readonly HttpClient Http = new();

    private static T Client<T>(Uri baseAddress, System.Text.Json.Serialization.JsonSerializerContext json, params KeyValuePair<string, string>[] headers) =>
        ProviderClients.For<T>(Http, baseAddress, "prism", json, headers: headers);

    [Test]
    public async Task E2b_client_lists_gets_and_creates_sandboxes_against_prism_mock()
    {
        Requires.Prism();
        await using var prism = await PrismProcess.StartMockAsync("specs/e2b/openapi.yml");
        var client = Client<E2B.IE2BApi>(prism.BaseAddress, E2B.E2BJsonContext.Default, KeyValuePair.Create("X-API-Key", "e2b_test_key_123456"));

        var listed = await client.GetSandboxesAsync();
        Assert.That(listed, Is.Not.Empty, prism.Output);
        Assert.That(listed[0].SandboxID, Is.Not.Empty);
        Assert.That(listed[0].State, Is.EqualTo(E2B.SandboxState.Running));

        var detail = await client.GetSandboxesBySandboxIDAsync("sbx-1");
        Assert.That(detail.StartedAt, Is.Not.EqualTo(default(DateTimeOffset)));

        var created = await client.PostSandboxesAsync(new E2B.NewSandbox { TemplateID = "base", Timeout = 60, Metadata = new() { ["purpose"] = "test" } });
        Assert.That(created.SandboxID, Is.Not.Empty, prism.Output);

        var v2 = await client.GetV2SandboxesAsync(state: [E2B.SandboxState.Running.Value, E2B.SandboxState.Paused.Value], limit: 10);
        Assert.That(v2, Is.Not.Null, prism.Output);
    }

    [Test]
    public async Task E2b_request_that_breaks_the_spec_is_refused_by_prism()
    {
        Requires.Prism();
        await using var prism = await PrismProcess.StartMockAsync("specs/e2b/openapi.yml");
        var client = Client<E2B.IE2BApi>(prism.BaseAddress, E2B.E2BJsonContext.Default);

        // No API key: every alternative of the operation's security needs one, so Prism answers 401.
        Assert.That(async () => await client.GetSandboxesAsync(), Throws.InstanceOf<UnauthorizedException>());
    }

    [Test]
    public async Task Envd_client_uploads_multipart_and_downloads_a_stream_against_prism_mock()
    {
        Requires.Prism();
        await using var prism = await PrismProcess.StartMockAsync("specs/e2b/envd/envd.yaml");
        var client = Client<Envd.IEnvdApi>(prism.BaseAddress, Envd.EnvdJsonContext.Default, KeyValuePair.Create("X-Access-Token", "envd-token-123456"));

        var file = new StreamPart(new MemoryStream("print('hi')\n"u8.ToArray()), "main.py", "text/x-python");
        var entries = await client.PostFilesAsync(path: "/home/user/main.py", username: "user", file: file);
        Assert.That(entries, Is.Not.Empty, prism.Output);

        await using var download = await client.GetFilesAsync(path: "/home/user/main.py", username: "user");
        using var reader = new StreamReader(download);
        Assert.That(await reader.ReadToEndAsync(), Is.Not.Null, prism.Output);

        var metrics = await client.GetMetricsAsync();
        Assert.That(metrics, Is.Not.Null, prism.Output);
    }

    [Test]
    public async Task Docker_client_from_swagger_2_creates_inspects_and_streams_logs_against_prism_mock()
    {
        Requires.Prism();
        // Dynamic mode (-d): some of Docker's own examples break its schema (GwPriority's example is [10] for an int64),
        // so Prism answers with values generated from the schemas instead.
        await using var prism = await PrismProcess.StartMockAsync("specs/docker/v1.55.yaml", extraArguments: "-d");
        // Prism serves the paths without the spec's basePath (/v1.55), so the base address is Prism's root.
        var client = Client<Docker.IDockerApi>(prism.BaseAddress, Docker.DockerJsonContext.Default);

        // Generated data is random (an empty list is valid), so only its shape is checked.
        var containers = await client.ContainerListAsync(all: true, filters: """{"status":["running"]}""");
        Assert.That(containers, Is.Not.Null, prism.Output);

        var created = await client.ContainerCreateAsync(new Docker.ContainerCreateRequest { Image = "busybox", Cmd = ["sleep", "60"], Labels = new() { ["sandbox"] = "1" } },
            name: "sandbox-1");
        Assert.That(created.Id, Is.Not.Null, prism.Output);

        var inspected = await client.ContainerInspectAsync("sandbox-1");
        Assert.That(inspected, Is.Not.Null, prism.Output);

        await using var logs = await client.ContainerLogsAsync("sandbox-1", stdout: true, stderr: true);
        Assert.That(logs.CanRead, Is.True);
        Assert.That(await client.SystemPingAsync(), Is.Not.Null, prism.Output);
    }

    [Test]
    public async Task Jupyter_client_from_swagger_2_manages_kernels_and_contents_against_prism_mock()
    {
        Requires.Prism();
        await using var prism = await PrismProcess.StartMockAsync("specs/jupyter/api.yaml");
        var client = Client<Jupyter.IJupyterApi>(prism.BaseAddress, Jupyter.JupyterJsonContext.Default, KeyValuePair.Create("Authorization", "token jupyter-token-123"));

        var kernels = await client.GetApiKernelsAsync();
        Assert.That(kernels, Is.Not.Null, prism.Output);

        using var started = await client.PostApiKernelsWithResponseAsync(new Jupyter.PostApiKernelsRequest { Name = "python3" });
        Assert.That(started.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), prism.Output);
        Assert.That(started.Content!.Id, Is.Not.Null, prism.Output);

        var contents = await client.GetApiContentsByPathAsync("notebook.ipynb");
        Assert.That(contents, Is.Not.Null, prism.Output);
        await client.DeleteApiKernelsByKernelIdAsync(Guid.NewGuid().ToString());

        // The spec says kernel ids are UUIDs: Prism refuses another, and the error says why.
        var refused = Assert.CatchAsync<ProviderException>(async () => await client.DeleteApiKernelsByKernelIdAsync("kernel-1"));
        Assert.That(refused!.StatusCode, Is.EqualTo(422));
        Assert.That(refused.Message, Does.Contain("kernel_id must match format"));
    }

    [Test]
    public async Task Daytona_client_lists_gets_and_creates_sandboxes_against_prism_mock()
    {
        Requires.Prism();
        await using var prism = await PrismProcess.StartMockAsync("specs/daytona/api.json");
        var client = Client<Daytona.IDaytonaApi>(prism.BaseAddress, Daytona.DaytonaJsonContext.Default, KeyValuePair.Create("Authorization", "Bearer dtn_test_key_123456"));

        var sandbox = await client.GetSandboxAsync("my-sandbox");
        Assert.That(sandbox.Id, Is.Not.Empty, prism.Output);

        var list = await client.ListSandboxesAsync();
        Assert.That(list, Is.Not.Null, prism.Output);

        var created = await client.CreateSandboxAsync(new Daytona.CreateSandbox { Name = "test", Labels = new() { ["team"] = "core" } });
        Assert.That(created.Id, Is.Not.Empty, prism.Output);
    }
}
