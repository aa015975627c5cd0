using System.Runtime.Versioning;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// Opens a terminal in a sandbox the size of the user's, with the user's TERM, runs a program on it (an interactive
/// shell by default) with the user's terminal in raw mode, and returns the program's exit code. The terminal is
/// restored before this returns or throws.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class InteractiveShell
{
    /// <summary>bash with line editing when the sandbox has it, else sh.</summary>
    public const string DefaultCommand = "if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi";

    /// <summary>Runs <paramref name="command"/> (null: <see cref="DefaultCommand"/>) on a terminal in <paramref name="sandbox"/>.</summary>
    public static async Task<int> RunAsync(Sandbox sandbox, string? command, IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken)
    {
        var (rows, cols) = NativeTerminal.WindowSize() ?? (24, 80);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "TERM", "COLORTERM" })
        {
            // The program draws for the user's terminal, so it should know which one it is.
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value && value != "dumb")
            {
                environment[name] = value;
            }
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        await using var pty = await sandbox.CreatePtyAsync(new CreatePtyRequest
        {
            Rows = rows,
            Cols = cols,
            Command = command ?? DefaultCommand,
            Env = environment,
        }, cancellationToken).ConfigureAwait(false);
        using var raw = RawTerminal.Enter();
        try
        {
            return await new PtyBridge(pty, inputIsTerminal: raw is not null, openedWith: (rows, cols)).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (raw is not null)
        {
            // The program did not get to end its line: start the tool's message on a fresh one.
            raw.Restore();
            NativeTerminal.WriteAll(NativeTerminal.StdErr, "\r\n"u8);
            throw;
        }
        finally
        {
            TerminalModes.ResetNowAndAtExit();
        }
    }
}
