using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// A toolbox session as Daytona's daemon runs one: a long-lived shell in the sandbox, fed each command on its stdin inside
/// a wrapper that runs the command (sourced from a file) with its stdout and stderr passed through line labellers into one
/// log (<c>01 01 01</c> before each stdout line, <c>02 02 02</c> before each stderr line), its stdin from a FIFO, and its
/// exit code written to a file once the log is complete. The shell runs commands one after the other, as the daemon's does.
/// </summary>
internal sealed class EmulatedSession
{
    private readonly Sandbox _sandbox;
    private readonly CommandHandle _shell;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentQueue<EmulatedCommand> _order = new();

    private EmulatedSession(string id, Sandbox sandbox, CommandHandle shell)
    {
        Id = id;
        _sandbox = sandbox;
        _shell = shell;
    }

    public string Id { get; }

    public ConcurrentDictionary<string, EmulatedCommand> Commands { get; } = new(StringComparer.Ordinal);

    /// <summary>The commands in the order they were run.</summary>
    public IEnumerable<EmulatedCommand> Ordered => _order;

    private string Dir => "/tmp/.daytona/sessions/" + Id;

    /// <summary>Starts the session's shell, in a process group of its own (as the daemon's), so deleting the session can kill it whole.</summary>
    public static async Task<EmulatedSession> StartAsync(string id, Sandbox sandbox, CancellationToken cancellationToken)
    {
        var shell = await sandbox.StartCommandAsync(new RunCommandRequest("exec setsid sh") { KeepStdinOpen = true }, cancellationToken);
        var session = new EmulatedSession(id, sandbox, shell);
        await sandbox.MakeDirAsync(session.Dir, cancellationToken);
        return session;
    }

    /// <summary>Writes the command's file and hands the wrapped command to the shell; returns at once.</summary>
    public async Task<EmulatedCommand> ExecuteAsync(string command, bool async, bool suppressInputEcho, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var entry = new EmulatedCommand { Id = id, Command = command, Dir = Dir + "/" + id, SuppressInputEcho = suppressInputEcho };
        await _sandbox.MakeDirAsync(entry.Dir, cancellationToken);
        await _sandbox.WriteFileAsync(entry.CommandPath, Encoding.UTF8.GetBytes(command), cancellationToken: cancellationToken);
        await _sandbox.WriteFileAsync(entry.LogPath, [], cancellationToken: cancellationToken);
        Commands[id] = entry;
        _order.Enqueue(entry);
        await _write.WaitAsync(cancellationToken);
        try
        {
            await _sandbox.WriteStdinAsync(_shell.HandleId, Wrapper(entry, async), cancellationToken);
        }
        finally
        {
            _write.Release();
        }

        return entry;
    }

    /// <summary>The exit code once the command has ended (the daemon writes it after the log is complete).</summary>
    public async Task<int?> ExitCodeAsync(EmulatedCommand command, CancellationToken cancellationToken)
    {
        if (command.ExitCode is { } known)
        {
            return known;
        }

        try
        {
            var text = await _sandbox.ReadTextAsync(command.ExitCodePath, cancellationToken);
            if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                command.ExitCode = code;
                return code;
            }
        }
        catch (NotFoundException)
        {
            // Still running.
        }

        return null;
    }

    /// <summary>The log from <paramref name="offset"/> on.</summary>
    public async Task<byte[]> ReadLogAsync(EmulatedCommand command, long offset, CancellationToken cancellationToken)
    {
        var stream = await _sandbox.OpenReadAsync(command.LogPath, cancellationToken);
        await using (stream)
        {
            if (offset > 0)
            {
                stream.Seek(offset, SeekOrigin.Begin);
            }

            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
    }

    /// <summary>
    /// Writes input to the command's stdin FIFO, with a newline added when missing (as the daemon does, for <c>read</c>),
    /// and echoes it into the log as stdout unless the command asked not to. As the daemon opens the FIFO without
    /// creating it, input that comes before the session's shell has made it is refused: false.
    /// </summary>
    public async Task<bool> SendInputAsync(EmulatedCommand command, string data, CancellationToken cancellationToken)
    {
        if (!data.EndsWith('\n'))
        {
            data += "\n";
        }

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(data));
        var script = new StringBuilder();
        script.Append("[ -p '").Append(command.InputPath).Append("' ] || exit 3\n");
        script.Append("printf %s '").Append(encoded).Append("' | base64 -d > '").Append(command.InputPath).Append("'\n");
        if (!command.SuppressInputEcho)
        {
            script.Append("{ printf '\\001\\001\\001'; printf %s '").Append(encoded).Append("' | base64 -d; } >> '").Append(command.LogPath).Append("'\n");
        }

        var result = await _sandbox.RunCommandAsync(new RunCommandRequest(script.ToString()) { TimeoutSeconds = 10 }, cancellationToken);
        return result.ExitCode != 3;
    }

    /// <summary>Kills the session's shell and every process of its group (commands that made groups of their own survive, as on Daytona).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        var pid = _shell.Pid.ToString(CultureInfo.InvariantCulture);
        await _sandbox.RunCommandAsync(new RunCommandRequest($"kill -KILL -{pid} 2>/dev/null; true") { TimeoutSeconds = 10 }, cancellationToken);
    }

    private static string Wrapper(EmulatedCommand c, bool async) => $$"""
        {
          log='{{c.LogPath}}'
          dir='{{c.Dir}}'
          ip='{{c.InputPath}}'
          sp="$dir/stdout.pipe"
          ep="$dir/stderr.pipe"
          rm -f "$sp" "$ep" "$ip" && mkfifo "$sp" "$ep" "$ip" || exit 1
          cleanup() { rm -f "$sp" "$ep" "$ip"; }
          trap 'cleanup' EXIT HUP INT TERM
          ( while IFS= read -r line || [ -n "$line" ]; do printf '\001\001\001%s\n' "$line"; done < "$sp" ) >> "$log" & r1=$!
          ( while IFS= read -r line || [ -n "$line" ]; do printf '\002\002\002%s\n' "$line"; done < "$ep" ) >> "$log" & r2=$!
          {{(async ? "while :; do sleep 3600; done > \"$ip\" &" : "cat /dev/null > \"$ip\" &")}}
          ip_pid=$!
          { . '{{c.CommandPath}}'; } < "$ip" > "$sp" 2> "$ep"
          _ec=$?
          kill "$ip_pid" 2>/dev/null; wait "$ip_pid" 2>/dev/null
          wait "$r1" "$r2"
          echo "$_ec" >> '{{c.ExitCodePath}}'
          cleanup
        }

        """;
}
