using System.Text.RegularExpressions;

namespace Sandboxes.Cli.Tests.Harness;

/// <summary>What a run of the tool produced.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">Everything on stdout.</param>
/// <param name="Stderr">Everything on stderr.</param>
public sealed partial record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The first local sandbox id in the output (the tool names kept sandboxes on stderr).</summary>
    public string SandboxId => SandboxIdPattern().Match(Stderr + Stdout) is { Success: true } m ? m.Value : throw new InvalidOperationException("no sandbox id in: " + this);

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";

    [GeneratedRegex("sbx-[a-z0-9]+")]
    private static partial Regex SandboxIdPattern();
}
