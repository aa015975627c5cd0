using Microsoft.Extensions.Logging;

namespace Sandboxes.Cli.Output;

/// <summary>
/// The logger the tool hands the library: while a spinner runs, the library's events (a preset's setup command, a
/// retry, a failover) become its status text; otherwise failovers and failed orphan sweeps are printed as warnings,
/// since they change what the user gets. Everything else is dropped: the tool's output is the command's.
/// </summary>
internal sealed class ProgressLog : ILoggerFactory, ILogger
{
    // Event ids of Sandboxes.Log: 2 provider skipped (failover), 4 retrying, 11 orphan sweep failed, 15 preset setup command.
    private const int ProviderSkipped = 2;
    private const int Retrying = 4;
    private const int OrphanSweepFailed = 11;
    private const int PresetSetup = 15;

    /// <summary>Receives status text while a spinner is shown; null otherwise.</summary>
    public Action<string>? Listener { get; set; }

    /// <summary>Suppresses the warnings printed when no spinner is shown.</summary>
    public bool Quiet { get; set; }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => this;

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var listener = Listener;
        if (listener is not null)
        {
            var status = eventId.Id switch
            {
                PresetSetup => $"Installing preset {Value(state, "Preset")}: {Value(state, "Command")}",
                Retrying or ProviderSkipped => formatter(state, exception),
                _ => null,
            };
            if (status is not null)
            {
                listener(status);
            }
        }
        else if (!Quiet && eventId.Id is ProviderSkipped or OrphanSweepFailed)
        {
            Console.Error.WriteLine("sandboxes: warning: " + SecretScrubber.Scrub(formatter(state, exception)));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string? Value<TState>(TState state, string name) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.FirstOrDefault(p => p.Key == name).Value?.ToString() : null;
}
