using System.Text;

namespace Sandboxes.Remote;

/// <summary>What a helper script run to completion produced.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">Its standard output, as bytes.</param>
/// <param name="Stderr">Its standard error, as text.</param>
internal sealed record HelperResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>The standard output as UTF-8 text.</summary>
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}
