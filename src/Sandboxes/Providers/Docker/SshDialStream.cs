using System.Diagnostics;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// A connection to a remote engine through ssh, as the docker CLI makes one for <c>ssh://</c>: <c>ssh</c> runs
/// <c>docker system dial-stdio</c> on the remote host, which joins its stdin and stdout to the engine's socket there.
/// Reads come from ssh's stdout, writes go to its stdin; closing stdin is the half-close; disposing ends ssh.
/// </summary>
internal sealed class SshDialStream : Stream
{
    private readonly Process _ssh;
    private readonly Stream _input;
    private readonly Stream _output;

    private SshDialStream(Process ssh)
    {
        _ssh = ssh;
        _input = ssh.StandardInput.BaseStream;
        _output = ssh.StandardOutput.BaseStream;
    }

    /// <summary>Starts ssh to <paramref name="host"/> running the remote dial command.</summary>
    /// <param name="host">The host name or address.</param>
    /// <param name="user">The remote user, or null for ssh's own choice.</param>
    /// <param name="port">The ssh port, or 0 for ssh's own choice.</param>
    /// <param name="configFile">An ssh_config file to use instead of the user's, or null.</param>
    /// <exception cref="ProviderException">ssh cannot be started.</exception>
    public static SshDialStream Start(string host, string? user, int port, string? configFile)
    {
        var start = new ProcessStartInfo("ssh")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false,
        };
        if (configFile is not null)
        {
            start.ArgumentList.Add("-F");
            start.ArgumentList.Add(configFile);
        }

        // Never a prompt: a password or an unknown host key is the user's to settle in their ssh configuration.
        foreach (var argument in new[] { "-o", "BatchMode=yes", "-T" })
        {
            start.ArgumentList.Add(argument);
        }

        if (user is not null)
        {
            start.ArgumentList.Add("-l");
            start.ArgumentList.Add(user);
        }

        if (port > 0)
        {
            start.ArgumentList.Add("-p");
            start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        start.ArgumentList.Add("--");
        start.ArgumentList.Add(host);
        start.ArgumentList.Add("docker");
        start.ArgumentList.Add("system");
        start.ArgumentList.Add("dial-stdio");
        try
        {
            return new SshDialStream(Process.Start(start) ?? throw new ProviderException(DockerProvider.ProviderId, "Could not start ssh."));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ProviderException(DockerProvider.ProviderId, $"Could not start ssh for an ssh:// engine (is openssh-client installed?): {e.Message}", innerException: e);
        }
    }

    /// <summary>Closes ssh's stdin: the remote end sees end-of-file, and the engine with it.</summary>
    public void CloseWrite()
    {
        try
        {
            _input.Dispose();
        }
        catch (IOException)
        {
            // ssh already ended.
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _output.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
    {
        _input.Write(buffer, offset, count);
        _input.Flush();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _input.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        await _input.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _input.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _input.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                if (!_ssh.HasExited)
                {
                    _ssh.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _ssh.Dispose();
        }

        base.Dispose(disposing);
    }
}
