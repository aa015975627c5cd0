namespace Sandboxes.Cli;

/// <summary>
/// Turns an exception into one readable line on stderr (the typed error's meaning, then a hint in parentheses) and an
/// exit code. Never a stack trace; secrets are scrubbed from the message.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Prints the error and returns the exit code for it.</summary>
    public static int Report(Exception error)
    {
        var (code, hint) = Classify(error);
        var message = error is OperationCanceledException ? SignalMessage(code) : SecretScrubber.Scrub(error.Message.ReplaceLineEndings(" ").Trim());
        try
        {
            Console.Error.WriteLine(hint is null ? $"sandboxes: {message}" : $"sandboxes: {message} ({hint})");
        }
        catch (IOException)
        {
            // After a hang-up there is no terminal to tell; the exit code still says what happened.
        }

        return code;
    }

    /// <summary>The exit code and the hint for an error.</summary>
    internal static (int Code, string? Hint) Classify(Exception error) => error switch
    {
        OperationCanceledException => (Interrupts.ExitCode, null),
        SandboxTimeoutException => (ExitCodes.Timeout, "raise it with -t/--timeout"),
        UnauthorizedException e => (ExitCodes.ProviderError, CredentialHint(e.Provider)),
        FeatureNotSupportedException => (ExitCodes.ProviderError, "`sandboxes providers` shows what each provider supports"),
        BadConfigException => (ExitCodes.Usage, null),
        NotFoundException => (ExitCodes.ProviderError, "`sandboxes list` shows the sandboxes that exist"),
        SandboxStateException s when s.Status == SandboxStatus.Paused => (ExitCodes.ProviderError, $"`sandboxes resume {s.SandboxId}` continues it"),
        SandboxSetupException => (ExitCodes.ProviderError, "presets that install with npm or pip need network access and those tools in the image"),
        RateLimitException r => (ExitCodes.ProviderError, r.RetryAfter is { } after ? $"retry after {after.TotalSeconds:0} s" : "retry later"),
        CircuitOpenException => (ExitCodes.ProviderError, "the provider failed repeatedly; retry later"),
        QuotaExceededException => (ExitCodes.ProviderError, "`sandboxes list` and `sandboxes destroy` free what you no longer use"),
        _ => (ExitCodes.ProviderError, null),
    };

    private static string SignalMessage(int code) => code switch
    {
        ExitCodes.Terminated => "terminated",
        ExitCodes.HungUp => "hung up",
        ExitCodes.Quit => "quit",
        _ => "interrupted",
    };

    /// <summary>What to do about refused or missing credentials: which variable to set, or to check.</summary>
    internal static string? CredentialHint(string provider, Func<string, string?>? environment = null)
    {
        if (string.IsNullOrEmpty(provider) || !SandboxProviders.IsRegistered(provider))
        {
            return null;
        }

        environment ??= Environment.GetEnvironmentVariable;
        var variables = SandboxProviders.Describe(provider).CredentialVariables;
        if (variables.Count == 0)
        {
            return null;
        }

        var set = variables.FirstOrDefault(v => !string.IsNullOrEmpty(environment(v)));
        return set is null ? $"set {string.Join(" or ", variables)}" : $"the key in {set} was refused: check it";
    }
}
