using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Sandboxes.CodeExecution;
using Sandboxes.Providers;

namespace Sandboxes.Remote;

/// <summary>
/// The remote-process kit: every command operation of the protocol built from one primitive a provider supplies,
/// <see cref="LaunchAsync"/> (start a process, read its output, learn its exit status, feed its stdin), and its file
/// operations. From them come foreground commands whose timeout kills the whole process tree, background commands that
/// any client can follow from the first byte and whose timeout holds when nobody waits, stdin, signals, process
/// listings, and persistent code contexts from its base. An adapter overrides a derived operation only where its vendor has a native
/// one. The kit keeps its state in the sandbox (<see cref="KitScripts.CommandsDir"/>), so commands outlive the client.
/// </summary>
internal abstract partial class RemoteProcessProvider : ProcessContextProvider
{
    // The largest file the kit reads whole (a status, /etc/passwd).
    private const int SmallFileLimit = 1024 * 1024;

    private readonly ConcurrentDictionary<string, string> _passwdCache = new(StringComparer.Ordinal);

    /// <summary>Creates the kit for an adapter.</summary>
    protected RemoteProcessProvider(ProviderConfig config)
        : base(config)
    {
    }

    /// <summary>The words of the shell that runs users' commands (<c>-c COMMAND</c> follows them).</summary>
    protected virtual string CommandShell => "/bin/sh";

    /// <summary>
    /// Starts a process in the sandbox. Errors are the library's typed exceptions: an unknown sandbox is
    /// <see cref="NotFoundException"/>, an unknown user or directory <see cref="BadConfigException"/>.
    /// </summary>
    protected abstract Task<RemoteProcess> LaunchAsync(string sandboxId, ProcessLaunch launch, CancellationToken cancellationToken);

    /// <summary>
    /// The variable (<c>NAME=VALUE</c>) every process of a sandbox carries in its environment where several sandboxes
    /// share one process table, so that listings and signals keep to the sandbox's own processes; null (the default)
    /// where the process table is the sandbox's alone.
    /// </summary>
    protected virtual string? ProcessTag(string sandboxId) => null;

    /// <summary>Checks a command's environment, user and working directory before anything runs; nothing by default.</summary>
    protected virtual Task ValidateCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Forgets what this client holds for a sandbox that is being killed: stdin, context connections, caches.</summary>
    protected async Task ForgetSandboxAsync(string sandboxId)
    {
        await DropStdinOfAsync(sandboxId).ConfigureAwait(false);
        await ForgetCodeContextsAsync(sandboxId).ConfigureAwait(false);
        _passwdCache.TryRemove(sandboxId, out _);
    }

    /// <summary>
    /// Releases what the kit holds (its writers to kept stdin, each once it has delivered what it was given), then the
    /// base (context connections).
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await ReleaseStdinWritersAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a small file of the sandbox whole, through the adapter's file API; an adapter whose file API cannot reach
    /// the kit's files (outside its root, hidden) reads them another way.
    /// </summary>
    /// <exception cref="SandboxIOException">The file is larger than 1 MiB.</exception>
    protected virtual async Task<byte[]> ReadSmallFileAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var stream = await OpenReadAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int n;
            while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > SmallFileLimit)
                {
                    throw new SandboxIOException(Name, path, $"it is larger than {SmallFileLimit} bytes");
                }
            }

            return buffer.ToArray();
        }
    }

    /// <summary>The sandbox's <c>/etc/passwd</c> (cached; <paramref name="refresh"/> reads it again).</summary>
    protected async Task<PasswdFile> PasswdAsync(string sandboxId, bool refresh, CancellationToken cancellationToken)
    {
        if (refresh || !_passwdCache.TryGetValue(sandboxId, out var text))
        {
            try
            {
                text = Encoding.UTF8.GetString(await ReadSmallFileAsync(sandboxId, "/etc/passwd", cancellationToken).ConfigureAwait(false));
            }
            catch (NotFoundException) when (!refresh)
            {
                text = string.Empty; // an image without /etc/passwd: only numeric users exist
            }

            _passwdCache[sandboxId] = text;
        }

        return new PasswdFile(text);
    }

    /// <summary>A fresh nonce: 24 hex digits, also the form of a background handle id.</summary>
    protected static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>True for a handle id the kit issues; only those name files, so no other text reaches a script.</summary>
    protected static bool IsHandleId(string handleId) => handleId.Length == 24 && handleId.All(char.IsAsciiHexDigitLower);

    /// <summary>The directory of a background command.</summary>
    protected static string HandleDir(string handleId) => KitScripts.CommandsDir + "/" + handleId;
}
