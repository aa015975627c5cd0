namespace Sandboxes.Cli;

/// <summary>Turns an exception into one readable line on stderr with a hint, and an exit code. Never a stack trace.</summary>
internal static class ErrorReporter
{
    public static int Report(Exception error)
    {
        var (code, hint) = error switch
        {
            OperationCanceledException => (ExitCodes.Interrupted, null),
            SandboxTimeoutException => (ExitCodes.Timeout, "raise it with -t/--timeout"),
            UnauthorizedException e => (ExitCodes.ProviderError, CredentialHint(e.Provider)),
            FeatureNotSupportedException => (ExitCodes.ProviderError, "`sandboxes providers` shows what each provider supports"),
            InvalidSandboxPathException => (ExitCodes.Usage, null),
            BadConfigException => (ExitCodes.Usage, null),
            NotFoundException => (ExitCodes.ProviderError, "`sandboxes list` shows the sandboxes that exist"),
            RateLimitException r => (ExitCodes.ProviderError, r.RetryAfter is { } after ? $"retry after {after.TotalSeconds:0} s" : "retry later"),
            SandboxException => (ExitCodes.ProviderError, null),
            _ => (ExitCodes.ProviderError, null),
        };
        var message = SecretScrubber.Scrub(error.Message.ReplaceLineEndings(" "));
        Console.Error.WriteLine(hint is null ? $"sandboxes: {message}" : $"sandboxes: {message} ({hint})");
        return code;
    }

    private static string? CredentialHint(string provider)
    {
        if (!SandboxProviders.IsRegistered(provider))
        {
            return null;
        }

        var variables = SandboxProviders.Describe(provider).CredentialVariables;
        return variables.Count == 0 ? null : $"set {string.Join(" or ", variables)}";
    }
}
