using System.Globalization;
using System.Text;
using Sandboxes.CodeExecution;

namespace Sandboxes.Providers.Daytona;

/// <summary>What the wrapper script (<see cref="CommandScript"/>) reported, read from its control lines.</summary>
internal sealed class CommandOutcome
{
    /// <summary>The exit code, once the command ended.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>True when the watchdog killed the command at its deadline.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>The deadline the command had, in seconds (0 for none).</summary>
    public double Limit { get; private set; }

    /// <summary>True when the working directory could not be entered.</summary>
    public bool CwdMissing { get; private set; }

    /// <summary>Applies one control event.</summary>
    public void Apply(ControlEvent e)
    {
        switch (e.Type)
        {
            case "cwd":
                CwdMissing = true;
                break;
            case "exit":
                ExitCode = e.Int("code") ?? -1;
                TimedOut = e.Int("timeout") == 1;
                Limit = e.Root.TryGetProperty("limit", out var limit) && limit.TryGetDouble(out var seconds) ? seconds : 0;
                break;
        }
    }

    /// <summary>
    /// Reads the combined text of a run (<see cref="CommandScript"/>): the control lines, and the
    /// base64 blocks of stdout and stderr that follow the <c>out</c> and <c>err</c> lines.
    /// </summary>
    public static (CommandOutcome Outcome, byte[] Stdout, byte[] Stderr) ParseCollected(string nonce, string combined)
    {
        var outcome = new CommandOutcome();
        var parser = new ControlLineParser(nonce);
        var blocks = new[] { new StringBuilder(), new StringBuilder() };
        var section = -1;
        parser.Feed(combined, text =>
        {
            if (section >= 0)
            {
                blocks[section].Append(text);
            }
        }, e =>
        {
            section = e.Type switch { "out" => 0, "err" => 1, _ => -1 };
            outcome.Apply(e);
        });
        return (outcome, FromBase64(blocks[0]), FromBase64(blocks[1]));
    }

    /// <summary>The exception for a command that outlived its deadline.</summary>
    public SandboxTimeoutException TimeoutError(string? stdout, string? stderr) =>
        new(DaytonaProvider.ProviderId,
            $"The command exceeded its timeout of {Limit.ToString(CultureInfo.InvariantCulture)} s; it and every process it started were killed.",
            TimeSpan.FromSeconds(Limit), stdout, stderr);

    private static byte[] FromBase64(StringBuilder block)
    {
        var text = new StringBuilder(block.Length);
        foreach (var c in block.ToString())
        {
            if (!char.IsWhiteSpace(c))
            {
                text.Append(c);
            }
        }

        try
        {
            return Convert.FromBase64String(text.ToString());
        }
        catch (FormatException e)
        {
            throw new ProviderException(DaytonaProvider.ProviderId, "The toolbox returned a command's output damaged (not base64).", innerException: e);
        }
    }
}
