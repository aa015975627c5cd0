using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Testing;

/// <summary>
/// The Docker-API engine the docker provider is tested against: rootful podman with the storage, settings and test image
/// that <c>scripts/setup.sh</c> prepared under <c>.tools/podman</c> (recorded in <c>.tools/podman/env</c>). A service
/// already answering on the socket is reused; otherwise <c>podman system service</c> is started and, on dispose, stopped.
/// <para>
/// To test against another engine instead (a real Docker daemon, say), set <c>SANDBOXES_TEST_DOCKER_HOST</c> and
/// <c>SANDBOXES_TEST_DOCKER_IMAGE</c> (an image with a user "user" of uid 1000, /workspace, and the runtimes scripts/setup.sh
/// puts in its image: python3 with matplotlib and IPython, node with typescript, ruby, go and rustc).
/// </para>
/// </summary>
public sealed class PodmanService : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _storageRoot;
    private readonly StringBuilder _output = new();

    private PodmanService(string dockerHost, string image, Process? process, string? storageRoot = null)
    {
        DockerHost = dockerHost;
        Image = image;
        _process = process;
        _storageRoot = storageRoot;
        if (process is not null)
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
    }

    /// <summary>The engine address, as <c>unix:///path</c>.</summary>
    public string DockerHost { get; }

    /// <summary>The test image.</summary>
    public string Image { get; }

    /// <summary>What the service wrote (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Finds or starts the engine; reports podman or the test image missing through <see cref="Requires"/>.</summary>
    public static async Task<PodmanService> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("SANDBOXES_TEST_DOCKER_HOST") is { Length: > 0 } host)
        {
            return new PodmanService(host, Environment.GetEnvironmentVariable("SANDBOXES_TEST_DOCKER_IMAGE") ?? "localhost/sandboxes-test:bookworm", null);
        }

        var podman = Requires.Executable("podman", "podman");
        var envFile = Path.Combine(Requires.RepositoryRoot, ".tools", "podman", "env");
        if (!File.Exists(envFile))
        {
            Requires.Missing("the podman test image", $"{Path.GetRelativePath(Requires.RepositoryRoot, envFile)} is absent");
        }

        var settings = File.ReadAllLines(envFile)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var runRoot = settings["PODMAN_RUNROOT"];
        var socket = Path.Combine(runRoot, "docker-api.sock");
        var dockerHost = "unix://" + socket;
        if (await AnswersAsync(socket))
        {
            await RequireImageAsync(socket, settings["IMAGE"], null);
            return new PodmanService(dockerHost, settings["IMAGE"], null);
        }

        Directory.CreateDirectory(runRoot);
        File.Delete(socket);
        var start = new ProcessStartInfo(podman)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--root", settings["PODMAN_ROOT"], "--runroot", runRoot, "system", "service", "--time=0", dockerHost })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CONTAINERS_CONF"] = settings["CONTAINERS_CONF"];
        var process = Process.Start(start) ?? throw new InvalidOperationException("podman did not start");
        var service = new PodmanService(dockerHost, settings["IMAGE"], process, settings["PODMAN_ROOT"]);
        for (var i = 0; i < 200; i++)
        {
            if (await AnswersAsync(socket))
            {
                await RequireImageAsync(socket, settings["IMAGE"], service);
                return service;
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        var output = service.Output;
        await service.DisposeAsync();
        throw new InvalidOperationException($"podman system service did not answer on {socket}: {output}");
    }

    /// <summary>Stops the service if this instance started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await UnmountStorageAsync();
    }

    // The storage driver bind-mounts its overlay directory onto itself and leaves it mounted when the service ends, so a
    // checkout could not be deleted after a run; with no container left it unmounts cleanly (if one is, it stays busy).
    private async Task UnmountStorageAsync()
    {
        var overlay = Path.Combine(_storageRoot!, "overlay");
        if (!File.ReadAllText("/proc/self/mountinfo").Contains(" " + overlay + " ", StringComparison.Ordinal))
        {
            return;
        }

        using var umount = Process.Start(new ProcessStartInfo("umount", [overlay]) { UseShellExecute = false, RedirectStandardError = true });
        if (umount is not null)
        {
            await umount.StandardError.ReadToEndAsync();
            await umount.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Reports the test image missing (setup writes the settings before it builds the image, so a failed build leaves
    /// them naming an image that is not there), after stopping a service this run started.
    /// </summary>
    private static async Task RequireImageAsync(string socketPath, string image, PodmanService? started)
    {
        if (await AnswersAsync(socketPath, $"/images/{image}/json"))
        {
            return;
        }

        if (started is not null)
        {
            await started.DisposeAsync();
        }

        Requires.Missing("the podman test image", $"the engine has no image {image}");
    }

    private static async Task<bool> AnswersAsync(string socketPath, string target = "/_ping")
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"));
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
