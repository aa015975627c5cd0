using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// A remote engine host reached over ssh, made by the test: an sshd on 127.0.0.1 with its own host key, accepting one
/// key the test made, whose sessions run what a docker host's <c>docker system dial-stdio</c> does (join stdin and
/// stdout to the engine's socket) and nothing else. <see cref="SshConfig"/> is an ssh_config for the client side.
/// </summary>
public sealed class SshEngineServer : IDisposable
{
    private readonly string _dir;
    private readonly Process _sshd;

    /// <summary>Starts sshd in front of the engine socket at <paramref name="socketPath"/>.</summary>
    public SshEngineServer(string socketPath)
    {
        var sshd = Requires.Executable("/usr/sbin/sshd", "openssh-server");
        Requires.Executable("ssh", "openssh-client");
        if (!Environment.IsPrivilegedProcess)
        {
            Requires.Missing("a root test runner", "sshd switches to the logged-in user");
        }

        _dir = Directory.CreateTempSubdirectory("sandboxes-sshd-").FullName;
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory, made by its service unit elsewhere
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir, "host_key"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir, "client_key"));
        File.Copy(Path.Combine(_dir, "client_key.pub"), Path.Combine(_dir, "authorized_keys"));
        var dial = Path.Combine(_dir, "dial-stdio");
        File.WriteAllText(dial, $$"""
            #!/bin/sh
            # What the remote docker CLI does for `docker system dial-stdio`; any other command is refused.
            [ "$SSH_ORIGINAL_COMMAND" = "docker system dial-stdio" ] || { echo "refused: $SSH_ORIGINAL_COMMAND" >&2; exit 126; }
            exec /usr/bin/python3 -c '
            import os, socket, sys, threading
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            def up():
                while True:
                    data = os.read(0, 65536)
                    if not data:
                        s.shutdown(socket.SHUT_WR); return
                    s.sendall(data)
            threading.Thread(target=up, daemon=True).start()
            while True:
                data = s.recv(65536)
                if not data:
                    break
                os.write(1, data)
            ' '{{socketPath}}'
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        Run("chmod", "700", dial);
        Port = FreePort();
        var config = Path.Combine(_dir, "sshd_config");
        File.WriteAllText(config, $"""
            ListenAddress 127.0.0.1
            Port {Port}
            HostKey {_dir}/host_key
            PidFile {_dir}/sshd.pid
            AuthorizedKeysFile {_dir}/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            ForceCommand {dial}
            """);
        var hostKey = File.ReadAllText(Path.Combine(_dir, "host_key.pub")).Trim();
        File.WriteAllText(Path.Combine(_dir, "known_hosts"), $"[127.0.0.1]:{Port} {hostKey}\n");
        SshConfig = Path.Combine(_dir, "ssh_config");
        File.WriteAllText(SshConfig, $"""
            Host *
              IdentityFile {_dir}/client_key
              IdentitiesOnly yes
              UserKnownHostsFile {_dir}/known_hosts
              StrictHostKeyChecking yes
              GlobalKnownHostsFile /dev/null
            """);
        _sshd = Process.Start(new ProcessStartInfo(sshd, ["-D", "-e", "-f", config]) { UseShellExecute = false, RedirectStandardError = true })!;
        _sshd.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (Log) { Log.Add(e.Data); } } };
        _sshd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Listening() && DateTime.UtcNow < deadline && !_sshd.HasExited)
        {
            Thread.Sleep(50);
        }
    }

    /// <summary>The port sshd listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>An ssh_config that trusts this server's host key and logs in with the test's key.</summary>
    public string SshConfig { get; }

    /// <summary>sshd's own log lines, for failure messages.</summary>
    public List<string> Log { get; } = [];

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_sshd.HasExited)
        {
            _sshd.Kill(entireProcessTree: true);
            _sshd.WaitForExit();
        }

        _sshd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private bool Listening()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(arguments[0], arguments[1..]) { UseShellExecute = false })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{arguments[0]} exited {process.ExitCode}");
        }
    }
}
