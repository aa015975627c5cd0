using System.Runtime.CompilerServices;
using System.Text;

namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>
    /// How this sandbox's provider was chosen, and which providers were skipped on the way; null for sandboxes created
    /// or attached through a <see cref="Sandboxer"/> directly.
    /// </summary>
    public ProviderSelection? Selection { get; internal set; }

    /// <summary>Runs a shell command line to completion (the same as <see cref="RunCommandAsync(string, CancellationToken)"/>).</summary>
    public CommandResult Execute(string command) => RunCommand(command);

    /// <inheritdoc cref="Execute(string)"/>
    public Task<CommandResult> ExecuteAsync(string command, CancellationToken cancellationToken = default) =>
        RunCommandAsync(command, cancellationToken);

    /// <summary>Runs a command with its options (working directory, environment, timeout, stdin, user).</summary>
    public Task<CommandResult> ExecuteAsync(RunCommandRequest request, CancellationToken cancellationToken = default) =>
        RunCommandAsync(request, cancellationToken);

    /// <summary>Runs commands in order; with <paramref name="stopOnError"/>, stops after the first that exits non-zero.</summary>
    public IReadOnlyList<CommandResult> ExecuteMany(IEnumerable<string> commands, bool stopOnError = false) =>
        SyncBridge.Run(ct => ExecuteManyAsync(commands, stopOnError, ct), CancellationToken.None);

    /// <inheritdoc cref="ExecuteMany"/>
    public async Task<IReadOnlyList<CommandResult>> ExecuteManyAsync(IEnumerable<string> commands, bool stopOnError = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var list = commands.ToList();
        if (list.Any(string.IsNullOrWhiteSpace))
        {
            throw new BadConfigException(Provider, "A command must not be empty.");
        }

        var results = new List<CommandResult>(list.Count);
        foreach (var command in list)
        {
            var result = await RunCommandAsync(command, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            if (stopOnError && !result.Succeeded)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>
    /// Runs a command and yields its output line by line as it is produced, stdout and stderr interleaved in arrival
    /// order, without line terminators. For the exit code and which stream a line came from, use
    /// <see cref="StreamCommandAsync"/>.
    /// </summary>
    /// <exception cref="SandboxTimeoutException">The command outlived its timeout.</exception>
    public IAsyncEnumerable<string> StreamAsync(string command, CancellationToken cancellationToken = default) =>
        StreamAsync(new RunCommandRequest(command), cancellationToken);

    /// <inheritdoc cref="StreamAsync(string, CancellationToken)"/>
    public async IAsyncEnumerable<string> StreamAsync(RunCommandRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A chunk may end mid-line, and stdout and stderr arrive interleaved: keep a partial line per stream.
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var e in StreamCommandAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var buffer = e.Kind switch
            {
                CommandEventKind.Stdout => stdout,
                CommandEventKind.Stderr => stderr,
                _ => null,
            };
            if (buffer is null)
            {
                continue;
            }

            buffer.Append(e.Text);
            foreach (var line in TakeLines(buffer))
            {
                yield return line;
            }
        }

        foreach (var rest in new[] { stdout, stderr }.Where(b => b.Length > 0))
        {
            yield return rest.ToString().TrimEnd('\r');
        }
    }

    private static List<string> TakeLines(StringBuilder buffer)
    {
        var lines = new List<string>();
        var text = buffer.ToString();
        var start = 0;
        int newline;
        while ((newline = text.IndexOf('\n', start)) >= 0)
        {
            lines.Add(text[start..newline].TrimEnd('\r'));
            start = newline + 1;
        }

        buffer.Remove(0, start);
        return lines;
    }
}
