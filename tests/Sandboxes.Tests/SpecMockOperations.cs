using NUnit.Framework;

namespace Sandboxes.Tests;

/// <summary>
/// Every public operation of a client and of a sandbox handle, by name, for driving an adapter against <c>prism mock</c>
/// of its vendor's spec. The mock answers each request with the spec's example (the same sandbox, the same cursor, the
/// same state on every call) or refuses it: whatever it says, a call must end, within <see cref="Bound"/>, with a result
/// or a <see cref="SandboxException"/>; never hang, never leak a JsonException or an HttpRequestException.
/// </summary>
public static class SpecMockOperations
{
    /// <summary>How long one operation may take against a mock that answers at once.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, Func<Sandboxer, Sandbox, Task>> Operations = new(StringComparer.Ordinal)
    {
        // The client.
        ["Sandboxer.CreateSandbox"] = async (client, _) => await client.CreateSandboxAsync(new CreateSandboxRequest { Keep = true }),
        ["Sandboxer.CreateSandbox with labels and a lifetime"] = async (client, _) => await client.CreateSandboxAsync(new CreateSandboxRequest
        {
            Keep = true, Name = "mocked", TimeoutSeconds = 120, Labels = new Dictionary<string, string> { ["team"] = "core" },
            Envs = new Dictionary<string, string> { ["MODE"] = "test" },
        }),
        ["Sandboxer.AttachSandbox"] = async (client, sandbox) => await client.AttachSandboxAsync(sandbox.Id),
        ["Sandboxer.ListSandboxes"] = async (client, _) => await client.ListSandboxesAsync(),
        ["Sandboxer.ListSandboxes with a limit"] = async (client, _) => await client.ListSandboxesAsync(new ListSandboxesFilter { Limit = 1 }),
        ["Sandboxer.ListSandboxes by status"] = async (client, _) =>
            await client.ListSandboxesAsync(new ListSandboxesFilter { Status = SandboxStatus.Paused }),
        ["Sandboxer.ListSandboxes by label"] = async (client, _) =>
            await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["team"] = "core" } }),
        ["Sandboxer.KillSandbox"] = async (client, sandbox) => await client.KillSandboxAsync(sandbox.Id),
        ["Sandboxer.ListSnapshots"] = async (client, _) => await client.ListSnapshotsAsync(),
        ["Sandboxer.DeleteSnapshot"] = async (client, _) => await client.DeleteSnapshotAsync("snapshot-1"),

        // Lifecycle of a sandbox.
        ["Sandbox.Info"] = async (_, sandbox) => await sandbox.InfoAsync(),
        ["Sandbox.IsRunning"] = async (_, sandbox) => await sandbox.IsRunningAsync(),
        ["Sandbox.SetTimeout"] = async (_, sandbox) => await sandbox.SetTimeoutAsync(120),
        ["Sandbox.Pause"] = async (_, sandbox) => await sandbox.PauseAsync(),
        ["Sandbox.Resume"] = async (_, sandbox) => await sandbox.ResumeAsync(),
        ["Sandbox.Kill"] = async (_, sandbox) => await sandbox.KillAsync(),
        ["Sandbox.PortUrl"] = async (_, sandbox) => await sandbox.PortUrlAsync(8080),
        ["Sandbox.CreateSnapshot"] = async (_, sandbox) => await sandbox.CreateSnapshotAsync("mocked-snapshot"),

        // Commands.
        ["Sandbox.RunCommand"] = async (_, sandbox) => await sandbox.RunCommandAsync("echo hello"),
        ["Sandbox.RunCommand with a timeout"] = async (_, sandbox) =>
            await sandbox.RunCommandAsync(new RunCommandRequest("sleep 1") { TimeoutSeconds = 5, Cwd = "/tmp", Env = new Dictionary<string, string> { ["A"] = "1" } }),
        ["Sandbox.StreamCommand"] = async (_, sandbox) =>
        {
            await foreach (var commandEvent in sandbox.StreamCommandAsync(new RunCommandRequest("echo hello")))
            {
            }
        },
        ["Sandbox.StartCommand"] = async (_, sandbox) => await sandbox.StartCommandAsync(new RunCommandRequest("sleep 10")),
        ["Sandbox.WaitForHandle"] = async (_, sandbox) => await sandbox.WaitForHandleAsync("1234"),
        ["Sandbox.AttachCommand"] = async (_, sandbox) =>
        {
            await foreach (var commandEvent in sandbox.AttachCommandAsync("1234"))
            {
            }
        },
        ["Sandbox.WriteStdin"] = async (_, sandbox) => await sandbox.WriteStdinAsync("1234", "input\n"),
        ["Sandbox.CloseStdin"] = async (_, sandbox) => await sandbox.CloseStdinAsync("1234"),
        ["Sandbox.KillProcess"] = async (_, sandbox) => await sandbox.KillProcessAsync(1234),
        ["Sandbox.ListProcesses"] = async (_, sandbox) => await sandbox.ListProcessesAsync(),

        // Files.
        ["Sandbox.ReadFile"] = async (_, sandbox) => await sandbox.ReadFileAsync("/tmp/file.txt"),
        ["Sandbox.ReadText"] = async (_, sandbox) => await sandbox.ReadTextAsync("/tmp/file.txt"),
        ["Sandbox.OpenRead"] = async (_, sandbox) =>
        {
            await using var stream = await sandbox.OpenReadAsync("/tmp/file.txt");
            await stream.CopyToAsync(Stream.Null);
        },
        ["Sandbox.WriteFile"] = async (_, sandbox) => await sandbox.WriteFileAsync("/tmp/file.bin", [0, 1, 2, 255], mode: 0x1a4),
        ["Sandbox.WriteText"] = async (_, sandbox) => await sandbox.WriteTextAsync("/tmp/file.txt", "hello"),
        ["Sandbox.ListDirectory"] = async (_, sandbox) => await sandbox.ListDirectoryAsync("/tmp"),
        ["Sandbox.MakeDir"] = async (_, sandbox) => await sandbox.MakeDirAsync("/tmp/dir"),
        ["Sandbox.Remove"] = async (_, sandbox) => await sandbox.RemoveAsync("/tmp/file.txt"),
        ["Sandbox.Exists"] = async (_, sandbox) => await sandbox.ExistsAsync("/tmp/file.txt"),
        ["Sandbox.Upload"] = async (_, sandbox) =>
        {
            var local = Path.GetTempFileName();
            try
            {
                await File.WriteAllTextAsync(local, "uploaded");
                await sandbox.UploadAsync(local, "/tmp/uploaded.txt");
            }
            finally
            {
                File.Delete(local);
            }
        },
        ["Sandbox.Download"] = async (_, sandbox) =>
        {
            var local = Path.Combine(Path.GetTempPath(), "spec-mock-" + Guid.NewGuid().ToString("N"));
            try
            {
                await sandbox.DownloadAsync("/tmp/file.txt", local);
            }
            finally
            {
                File.Delete(local);
            }
        },

        // Terminals.
        ["Sandbox.CreatePty"] = async (_, sandbox) =>
        {
            await using var pty = await sandbox.CreatePtyAsync(new CreatePtyRequest { Rows = 24, Cols = 80 });
            await pty.KillAsync();
        },
        ["Sandbox.ResizePty"] = async (_, sandbox) => await sandbox.ResizePtyAsync(1234, 30, 100),
        ["Sandbox.KillPty"] = async (_, sandbox) => await sandbox.KillPtyAsync(1234),
        ["Sandbox.ListPty"] = async (_, sandbox) => await sandbox.ListPtyAsync(),

        // Code.
        ["Sandbox.RunCode"] = async (_, sandbox) => await sandbox.RunCodeAsync("print(1)", CodeLanguage.Python),
        ["Sandbox.CreateCodeContext"] = async (_, sandbox) => await sandbox.CreateCodeContextAsync(CodeLanguage.Python),
        ["Sandbox.ListCodeContexts"] = async (_, sandbox) => await sandbox.ListCodeContextsAsync(),
        ["Sandbox.InterruptCodeContext"] = async (_, sandbox) => await sandbox.InterruptCodeContextAsync("context-1"),
        ["Sandbox.RestartCodeContext"] = async (_, sandbox) => await sandbox.RestartCodeContextAsync("context-1"),
        ["Sandbox.CloseCodeContext"] = async (_, sandbox) => await sandbox.CloseCodeContextAsync("context-1"),
    };

    /// <summary>The operations' names, as test cases.</summary>
    public static IEnumerable<string> Names => Operations.Keys;

    /// <summary>
    /// Runs the named operation and fails the test unless it ends within <see cref="Bound"/> with a result or a
    /// <see cref="SandboxException"/>. A hung call is left behind (nothing cancels it: ending on its own is the point);
    /// the fixture's clean-up stops the mock under it.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="client">The client of the mocked provider.</param>
    /// <param name="sandbox">A handle to one of the mock's sandboxes.</param>
    /// <param name="diagnostics">What to show on failure (the mock's log).</param>
    /// <returns>The typed error the operation ended with, or null when it returned.</returns>
    public static async Task<SandboxException?> AssertEndsWithResultOrTypedErrorAsync(string name, Sandboxer client, Sandbox sandbox, Func<string> diagnostics)
    {
        var call = Task.Run(() => Operations[name](client, sandbox));
        if (await Task.WhenAny(call, Task.Delay(Bound)) != call)
        {
            Assert.Fail($"{name} was still running after {Bound.TotalSeconds:0} s.\n{diagnostics()}");
        }

        try
        {
            await call;
            return null;
        }
        catch (SandboxException typed)
        {
            return typed;
        }
        catch (Exception untyped)
        {
            Assert.Fail($"{name} threw {untyped.GetType().Name}, not a SandboxException: {untyped}\n{diagnostics()}");
            throw;
        }
    }

    /// <summary>The last part of a long log, enough to see the requests that led to a failure.</summary>
    public static string Tail(string log, int length = 4000) => log.Length <= length ? log : "..." + log[^length..];
}
