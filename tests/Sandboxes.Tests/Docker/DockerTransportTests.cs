using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using Sandboxes.Providers.Docker;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// The adapter's own HTTP against a scripted engine on a unix socket: API version negotiation through /_ping and
/// /version, and the hand-written upgrade request that takes over an exec's connection.
/// </summary>
public sealed class DockerTransportTests
{
    private const string ContainerId = "0123456789ab";

    [TestCase("1.41", "/v1.41/")]
    [TestCase("1.55", "/v1.55/")]
    [TestCase("1.60", "/v1.55/")]
    public async Task Requests_carry_the_lower_of_the_engines_and_the_specs_version(string engineVersion, string expectedPrefix)
    {
        await using var engine = new FakeEngine((request, stream, _) => request.Path == "/_ping"
            ? FakeEngine.RespondAsync(stream, 200, "OK", "Api-Version: " + engineVersion)
            : FakeEngine.RespondAsync(stream, 404, """{"message":"No such container: x"}"""));
        await using var client = new Sandboxer("docker", new ProviderConfig { BaseUrl = new Uri(engine.Address) });

        Assert.That(async () => await client.AttachSandboxAsync(ContainerId), Throws.InstanceOf<NotFoundException>());

        Assert.That(engine.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/_ping", expectedPrefix + "containers/" + ContainerId + "/json" }));
    }

    [Test]
    public async Task Without_the_ping_header_the_version_comes_from_the_version_endpoint()
    {
        await using var engine = new FakeEngine((request, stream, _) => request.Path switch
        {
            "/_ping" => FakeEngine.RespondAsync(stream, 200, "OK"),
            "/version" => FakeEngine.RespondAsync(stream, 200, """{"Version":"24.0.0","ApiVersion":"1.43","MinAPIVersion":"1.12"}"""),
            _ => FakeEngine.RespondAsync(stream, 404, """{"message":"No such container: x"}"""),
        });
        await using var client = new Sandboxer("docker", new ProviderConfig { BaseUrl = new Uri(engine.Address) });

        Assert.That(async () => await client.AttachSandboxAsync(ContainerId), Throws.InstanceOf<NotFoundException>());

        Assert.That(engine.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/_ping", "/version", "/v1.43/containers/" + ContainerId + "/json" }));
    }

    [Test]
    public async Task An_engine_older_than_1_41_is_refused_with_its_version()
    {
        await using var engine = new FakeEngine((_, stream, _) => FakeEngine.RespondAsync(stream, 200, "OK", "Api-Version: 1.30"));
        await using var client = new Sandboxer("docker", new ProviderConfig { BaseUrl = new Uri(engine.Address) });

        Assert.That(async () => await client.ListSandboxesAsync(),
            Throws.InstanceOf<ProviderException>().With.Message.Contains("1.30").And.Message.Contains("1.41"));
    }

    [Test]
    public async Task An_engine_that_is_not_there_is_a_clear_provider_error()
    {
        var socket = Path.Combine(TestEnvironment.StateDir, "no-engine.sock");
        await using var client = new Sandboxer("docker", new ProviderConfig { BaseUrl = new Uri("unix://" + socket) });

        Assert.That(async () => await client.ListSandboxesAsync(),
            Throws.InstanceOf<ProviderException>().With.Message.Contains("Cannot reach the Docker engine").And.Message.Contains(socket));
    }

    [Test]
    public async Task Exec_start_takes_over_the_connection_both_ways()
    {
        string? stdinSeen = null;
        await using var engine = new FakeEngine(async (request, stream, socket) =>
        {
            // The stream's first bytes travel in the same write as the response head.
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
                .Concat(FakeEngine.Frame(1, "early")).ToArray());
            stdinSeen = await ReadToEndAsync(stream);
            await stream.WriteAsync(FakeEngine.Frame(1, "got:" + stdinSeen).Concat(FakeEngine.Frame(2, "err")).ToArray());
            socket.Shutdown(SocketShutdown.Both);
        });
        using var docker = new DockerEngine(Options(engine), null);

        await using var connection = await docker.StartExecAsync("exec1", tty: false, CancellationToken.None);
        await connection.WriteAsync("hello"u8.ToArray());
        connection.CloseWrite();
        var frames = await ReadFramesAsync(connection);

        var request = engine.Requests.Single();
        Assert.That(request.Method + " " + request.Target, Is.EqualTo("POST /v1.41/exec/exec1/start"));
        Assert.That(request.Headers["Connection"], Is.EqualTo("Upgrade"));
        Assert.That(request.Headers["Upgrade"], Is.EqualTo("tcp"));
        Assert.That(request.Headers["Content-Type"], Is.EqualTo("application/json"));
        Assert.That(request.Body, Is.EqualTo("""{"Detach":false,"Tty":false}"""));
        Assert.That(stdinSeen, Is.EqualTo("hello"), "half-closing the connection ended the process's stdin");
        Assert.That(frames, Is.EqualTo(new[] { "1:early", "1:got:hello", "2:err" }));
    }

    [Test]
    public async Task An_engine_answering_200_instead_of_101_is_taken_over_as_well()
    {
        await using var engine = new FakeEngine(async (_, stream, socket) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"u8.ToArray());
            await stream.WriteAsync(FakeEngine.Frame(1, "old engine"));
            socket.Shutdown(SocketShutdown.Both);
        });
        using var docker = new DockerEngine(Options(engine), null);

        await using var connection = await docker.StartExecAsync("exec1", tty: false, CancellationToken.None);

        Assert.That(await ReadFramesAsync(connection), Is.EqualTo(new[] { "1:old engine" }));
    }

    [Test]
    public async Task Error_answers_to_an_exec_start_are_typed()
    {
        await using var engine = new FakeEngine((request, stream, _) => request.Target.Contains("gone", StringComparison.Ordinal)
            ? FakeEngine.RespondAsync(stream, 404, """{"message":"No such exec instance: gone"}""")
            : ChunkedAsync(stream, 409, """{"message":"Container abc is paused, unpause the container before exec"}"""));
        using var docker = new DockerEngine(Options(engine), null);

        Assert.That(async () => await docker.StartExecAsync("gone", tty: false, CancellationToken.None),
            Throws.InstanceOf<NotFoundException>().With.Message.Contains("No such exec instance"));
        var conflict = Assert.CatchAsync<ProviderException>(async () => await docker.StartExecAsync("paused", tty: false, CancellationToken.None));
        Assert.That(conflict!.StatusCode, Is.EqualTo(409));
        Assert.That(DockerErrors.ForSandbox(conflict, "abc"), Is.InstanceOf<SandboxStateException>()
            .With.Property(nameof(SandboxStateException.Status)).EqualTo(SandboxStatus.Paused).And.Message.Contains("resume"));
    }

    private static DockerOptions Options(FakeEngine engine) => DockerOptions.From(new ProviderConfig
    {
        BaseUrl = new Uri(engine.Address),
        Extra = new Dictionary<string, object?> { ["api_version"] = "1.41" },
    });

    private static async Task ChunkedAsync(NetworkStream stream, int status, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var half = body.Length / 2;
        var text = $"HTTP/1.1 {status} Conflict\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + $"{half:x}\r\n{json[..half]}\r\n{body.Length - half:x}\r\n{json[half..]}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        var text = new StringBuilder();
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    private static async Task<List<string>> ReadFramesAsync(Stream connection)
    {
        var reader = new MultiplexedStreamReader(connection);
        var frames = new List<string>();
        while (await reader.ReadFrameAsync(CancellationToken.None) is { Read: true } frame)
        {
            frames.Add($"{(int)frame.Kind}:{Encoding.UTF8.GetString(frame.Payload.Span)}");
        }

        return frames;
    }
}
