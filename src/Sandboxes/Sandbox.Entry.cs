namespace Sandboxes;

// The static entry points: one-liners and creation through a shared SandboxClient, configured with Configure.
// They live on Sandbox (not on a static class named "Sandboxes") because the root namespace is Sandboxes: in user code
// with `using Sandboxes;`, the name Sandboxes.Configure would resolve to the namespace, never to such a class.
public sealed partial class Sandbox
{
    private static SandboxClient? s_default;

    /// <summary>
    /// The client behind the static entry points: built on first use from the environment and the configuration file,
    /// or from the options given to <see cref="Configure(Action{SandboxClientOptions})"/>.
    /// </summary>
    public static SandboxClient DefaultClient
    {
        get
        {
            var client = Volatile.Read(ref s_default);
            if (client is not null)
            {
                return client;
            }

            var created = new SandboxClient();
            return Interlocked.CompareExchange(ref s_default, created, null) ?? created;
        }
    }

    /// <summary>
    /// Configures the static entry points in code: default provider, failover chain, per-provider configuration,
    /// resilience, logging. Later calls use the new settings; sandboxes already created keep the client they came from.
    /// </summary>
    /// <example><code>
    /// Sandbox.Configure(o =>
    /// {
    ///     o.DefaultProvider = "e2b";
    ///     o.Fallback = ["local"];
    ///     o.ConfigureProvider("e2b", new ProviderConfig { ApiKey = key });
    ///     o.Resilience.Retry.MaxRetryAttempts = 5;
    /// });
    /// </code></example>
    /// <exception cref="BadConfigException">The options name a provider that is not registered.</exception>
    public static void Configure(Action<SandboxClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SandboxClientOptions();
        configure(options);
        Configure(options);
    }

    /// <summary>Configures the static entry points with ready-made options (they are frozen from now on).</summary>
    /// <exception cref="BadConfigException">The options name a provider that is not registered.</exception>
    public static void Configure(SandboxClientOptions options) =>
        Volatile.Write(ref s_default, new SandboxClient(options));

    /// <summary>Registers a preset for <see cref="SandboxOptions.Preset"/> (see <see cref="SandboxPresets.Register"/>).</summary>
    public static void RegisterPreset(SandboxPreset preset) => SandboxPresets.Register(preset);

    /// <summary>Creates a sandbox on the auto-selected (or named) provider, runs one command, destroys the sandbox and returns the result.</summary>
    /// <example><code>var r = await Sandbox.RunAsync("echo hi");</code></example>
    public static Task<CommandResult> RunAsync(string command, string? provider = null, CancellationToken cancellationToken = default) =>
        DefaultClient.RunAsync(command, provider, cancellationToken);

    /// <summary>Creates a sandbox as <paramref name="options"/> say, runs one command, destroys it and returns the result.</summary>
    public static Task<CommandResult> RunAsync(RunCommandRequest command, SandboxOptions options, CancellationToken cancellationToken = default) =>
        DefaultClient.RunAsync(command, options, cancellationToken);

    /// <inheritdoc cref="RunAsync(string, string?, CancellationToken)"/>
    public static CommandResult Run(string command, string? provider = null) => DefaultClient.Run(command, provider);

    /// <summary>Creates one sandbox, runs the commands in order in it, destroys it and returns every result.</summary>
    public static Task<IReadOnlyList<CommandResult>> RunManyAsync(IEnumerable<string> commands, string? provider = null,
        CancellationToken cancellationToken = default) =>
        DefaultClient.RunManyAsync(commands, provider, cancellationToken);

    /// <inheritdoc cref="RunManyAsync(IEnumerable{string}, string?, CancellationToken)"/>
    public static IReadOnlyList<CommandResult> RunMany(IEnumerable<string> commands, string? provider = null) =>
        DefaultClient.RunMany(commands, provider);

    /// <summary>
    /// Creates a sandbox: provider (with failover), labels, image or template, preset, resources. Dispose it to kill it
    /// (unless <see cref="SandboxOptions.Keep"/>).
    /// </summary>
    public static Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        DefaultClient.CreateAsync(options, cancellationToken);

    /// <inheritdoc cref="CreateAsync(SandboxOptions?, CancellationToken)"/>
    public static Sandbox Create(SandboxOptions? options = null) => DefaultClient.Create(options);

    /// <summary>Returns the running sandbox carrying all the labels, creating (and keeping) one when there is none.</summary>
    public static Task<Sandbox> GetOrCreateAsync(IReadOnlyDictionary<string, string> labels, SandboxOptions? options = null,
        CancellationToken cancellationToken = default) =>
        DefaultClient.GetOrCreateAsync(labels, options, cancellationToken);

    /// <inheritdoc cref="GetOrCreateAsync"/>
    public static Sandbox GetOrCreate(IReadOnlyDictionary<string, string> labels, SandboxOptions? options = null) =>
        DefaultClient.GetOrCreate(labels, options);

    /// <summary>Finds a running sandbox carrying all the labels (the newest), or null when there is none.</summary>
    public static Task<Sandbox?> FindAsync(IReadOnlyDictionary<string, string> labels, string? provider = null,
        CancellationToken cancellationToken = default) =>
        DefaultClient.FindAsync(labels, provider, cancellationToken);

    /// <inheritdoc cref="FindAsync"/>
    public static Sandbox? Find(IReadOnlyDictionary<string, string> labels, string? provider = null) => DefaultClient.Find(labels, provider);
}
