using System.Text;

namespace Sandboxes.Remote;

/// <summary>
/// The output of a command as read so far: the text of each stream, their decoders (a character split between two
/// reads stays whole) and the raw byte counts. Kept apart from one exec so that a follower that died can be replaced by
/// another that resumes where it stopped.
/// </summary>
internal sealed class CommandOutput
{
    private readonly Utf8ChunkDecoder _stdoutDecoder = new();
    private readonly Utf8ChunkDecoder _stderrDecoder = new();

    /// <summary>Everything written to stdout so far.</summary>
    public StringBuilder Stdout { get; } = new();

    /// <summary>Everything written to stderr so far.</summary>
    public StringBuilder Stderr { get; } = new();

    /// <summary>Bytes of stdout received.</summary>
    public long StdoutBytes { get; private set; }

    /// <summary>Bytes of stderr received.</summary>
    public long StderrBytes { get; private set; }

    /// <summary>Adds a chunk of stdout and returns its decoded text.</summary>
    public string AddStdout(ReadOnlySpan<byte> bytes)
    {
        StdoutBytes += bytes.Length;
        var text = _stdoutDecoder.Decode(bytes);
        Stdout.Append(text);
        return text;
    }

    /// <summary>Adds a chunk of stderr and returns its decoded text.</summary>
    public string AddStderr(ReadOnlySpan<byte> bytes)
    {
        StderrBytes += bytes.Length;
        var text = _stderrDecoder.Decode(bytes);
        Stderr.Append(text);
        return text;
    }

    /// <summary>At the end of the output: the text of bytes still waiting for the rest of a character, per stream.</summary>
    public (string Stdout, string Stderr) Flush()
    {
        var stdout = _stdoutDecoder.Flush();
        var stderr = _stderrDecoder.Flush();
        Stdout.Append(stdout);
        Stderr.Append(stderr);
        return (stdout, stderr);
    }
}
