using System.Text.RegularExpressions;

namespace Sandboxes.Providers.Daytona;

/// <summary>What Daytona's errors mean beyond their status, after the shared <see cref="Http.HttpErrorMapper"/> has typed them.</summary>
internal static partial class DaytonaErrors
{
    /// <summary>
    /// Daytona reports an exhausted organization quota as 400 "Total CPU limit exceeded. Maximum allowed: N." (also memory,
    /// disk, GPU, snapshots, volumes), which the shared mapper cannot tell from other bad requests: those become
    /// <see cref="QuotaExceededException"/>. Everything else is returned unchanged.
    /// </summary>
    public static SandboxException Refine(SandboxException error) =>
        error is ProviderException { StatusCode: 400 or 403 } && QuotaMessage().IsMatch(error.Message)
            ? new QuotaExceededException(error.Provider, error.Message, error)
            : error;

    [GeneratedRegex(@"\b(total (cpu|memory|disk|gpu) limit|(gpu|snapshot|volume) quota) exceeded", RegexOptions.IgnoreCase)]
    private static partial Regex QuotaMessage();
}
