using System.Net;
using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Providers.Jupyter;
using Sandboxes.Providers.Local;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Jupyter;

/// <summary>
/// The Jupyter server's lifetime when the provider starts it, and a server of the user's reached by URL and token:
/// its root directory, its paths, its token.
/// </summary>
[TestFixture]
[Category("Jupyter")]
public sealed class JupyterServerTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Jupyter();

    [Test]
    public async Task A_started_server_is_shared_and_stops_with_its_last_client()
    {
        var config = new ProviderConfig { Extra = new Dictionary<string, object?> { ["isolation"] = "process", ["kernel"] = "python3" } };
        var first = new Sandboxer("jupyter", config);
        var second = new Sandboxer("jupyter", config);
        // Kept: disposing the clients does not kill it, so only the server's end can take its kernel and commands.
        var (sandbox, _) = await first.CreateSandboxAsync(new CreateSandboxRequest { Keep = true });
        var attached = await second.AttachSandboxAsync(sandbox.Id);
        var url = ((JupyterProvider)first.Adapter).ServerEndpoint!.BaseUri;

        Assert.That(((JupyterProvider)second.Adapter).ServerEndpoint!.BaseUri, Is.EqualTo(url), "one server for the process");
        Assert.That((await attached.RunCommandAsync("echo shared")).Stdout, Is.EqualTo("shared\n"));
        // Unjailed, the kernel's pid is a pid of this machine: the parent of the command's run script.
        var kernelPid = int.Parse((await attached.RunCommandAsync("read -r _ _ _ p _ < /proc/$PPID/stat; echo $p")).Stdout.Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
        var background = await attached.StartCommandAsync(new RunCommandRequest("sleep 300"));

        await first.DisposeAsync();
        Assert.That(await AnswersAsync(url), Is.True, "the second client still uses it");
        await second.DisposeAsync();

        Assert.That(await AnswersAsync(url), Is.False, "stopped with its last client");
        Assert.That(JupyterProcesses(url.Port), Is.Empty, "no server process is left");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a kernel whose server is gone notices within a second
        Assert.That(Directory.Exists($"/proc/{kernelPid}"), Is.False, "no kernel is left");
        Assert.That(Directory.Exists($"/proc/{background.Pid}"), Is.False, "no command of a kernel is left");
    }

    [Test]
    public async Task Sandboxes_of_one_server_list_and_signal_only_their_own_processes()
    {
        // Unjailed, every process of the machine is in /proc: the listing keeps to the sandbox's own.
        await using var client = new Sandboxer("jupyter", new ProviderConfig { Extra = new Dictionary<string, object?> { ["isolation"] = "process" } });
        var (first, _) = await client.CreateSandboxAsync();
        var (second, _) = await client.CreateSandboxAsync();
        var handle = await first.StartCommandAsync(new RunCommandRequest("sleep 300"));

        var own = await first.ListProcessesAsync();
        var others = await second.ListProcessesAsync();

        Assert.That(own.Select(p => p.Pid), Does.Contain(handle.Pid));
        Assert.That(own.Select(p => p.Command), Has.None.Contains("ipykernel").And.None.Contains("jupyter-server"), "neither kernels nor the server");
        Assert.That(others.Select(p => p.Pid), Does.Not.Contain(handle.Pid));
        Assert.That(async () => await second.KillProcessAsync(handle.Pid), Throws.InstanceOf<NotFoundException>());
        Assert.That(Directory.Exists($"/proc/{handle.Pid}"), Is.True, "another sandbox's signal did not reach it");

        await first.KillAsync();
        // Killed at once; gone from /proc once reaped, which its new parent does in its own time.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.Exists($"/proc/{handle.Pid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(Directory.Exists($"/proc/{handle.Pid}"), Is.False, "the sandbox's end takes its background commands: " + StatOf(handle.Pid));
    }

    [Test]
    public async Task Output_far_larger_than_the_kernels_window_arrives_whole()
    {
        // The agent sends at most 1 MiB that was not acknowledged: this much takes many windows.
        await using var client = new Sandboxer("jupyter", new ProviderConfig { Extra = new Dictionary<string, object?> { ["isolation"] = "process" } });
        var (sandbox, _) = await client.CreateSandboxAsync();

        var result = await sandbox.RunCommandAsync("head -c 8388608 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero | tr '\\0' b >&2");

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Stdout, Has.Length.EqualTo(8388608).And.Not.Contains("b"));
        Assert.That(result.Stderr, Has.Length.EqualTo(3000000).And.Not.Contains("a"));
    }

    [Test]
    public async Task A_server_of_the_user_is_reached_by_url_and_token()
    {
        await using var server = await JupyterServerProcess.StartAsync(
            new JupyterOptions { Isolation = IsolationMode.Process, ServerCommand = "/usr/bin/jupyter-server" }, CancellationToken.None);
        await using var client = new Sandboxer("jupyter", new ProviderConfig { BaseUrl = server.Endpoint.BaseUri, ApiKey = server.Endpoint.Token });

        var (sandbox, _) = await client.CreateSandboxAsync();
        var pwd = await sandbox.RunCommandAsync("pwd");
        await sandbox.WriteTextAsync("notes/a.txt", "relative to the root");
        var seen = await sandbox.RunCommandAsync("cat notes/a.txt");
        var entries = await sandbox.ListDirectoryAsync(server.RootDir + "/notes");
        var context = await sandbox.CreateCodeContextAsync();
        await sandbox.RunCodeAsync("import os\nhere = os.getcwd()", context);
        var here = await sandbox.RunCodeAsync("here", context);
        var javascript = await sandbox.CreateCodeContextAsync("javascript");
        await sandbox.RunCodeAsync("let n = 20;", javascript);
        var doubled = await sandbox.RunCodeAsync("n * 2", javascript);
        var contexts = await sandbox.ListCodeContextsAsync();

        Assert.That(pwd.Stdout.TrimEnd('\n'), Is.EqualTo(server.RootDir), "kernels start in the server's root");
        Assert.That(seen.Stdout, Is.EqualTo("relative to the root"));
        Assert.That(entries.Single().Path, Is.EqualTo(server.RootDir + "/notes/a.txt"));
        Assert.That(here.Text, Is.EqualTo($"'{server.RootDir}'"));
        Assert.That(doubled.Text, Is.EqualTo("40"), "a context of the drivers, run as commands of the kernel");
        Assert.That(contexts.Select(c => (c.Id, c.Language.Id)), Is.EquivalentTo(new[] { (context.Id, "python"), (javascript.Id, "javascript") }));
        Assert.That(async () => await sandbox.ReadFileAsync("/etc/hostname"), Throws.InstanceOf<InvalidSandboxPathException>()
            .With.Message.Contains("outside the Jupyter server's root"));
        await sandbox.KillAsync();
        Assert.That(await sandbox.IsRunningAsync(), Is.False);
    }

    [Test]
    public async Task A_wrong_token_is_unauthorized()
    {
        await using var server = await JupyterServerProcess.StartAsync(
            new JupyterOptions { Isolation = IsolationMode.Process, ServerCommand = "/usr/bin/jupyter-server" }, CancellationToken.None);
        await using var client = new Sandboxer("jupyter", new ProviderConfig { BaseUrl = server.Endpoint.BaseUri, ApiKey = "not-the-token" });

        Assert.That(async () => await client.CreateSandboxAsync(), Throws.InstanceOf<UnauthorizedException>());
    }

    private static async Task<bool> AnswersAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri(url, "api"));
            return response.StatusCode != HttpStatusCode.ServiceUnavailable;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static string StatOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    private static List<string> JupyterProcesses(int port)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains($"--ServerApp.port={port} ", StringComparison.Ordinal))
                {
                    found.Add(cmdline);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
