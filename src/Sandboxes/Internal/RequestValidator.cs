namespace Sandboxes;

/// <summary>
/// Checks a request against the provider's capability table before it is sent, so that a field the provider cannot
/// honour fails loudly (<see cref="FeatureNotSupportedException"/>) instead of being silently dropped.
/// </summary>
internal static class RequestValidator
{
    public static void Validate(ProviderCapabilities capabilities, CreateSandboxRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TimeoutSeconds is <= 0)
        {
            throw new BadConfigException(capabilities.Provider, $"CreateSandboxRequest.TimeoutSeconds must be positive, not {request.TimeoutSeconds}.");
        }

        if (request.Cpus is <= 0 || request.MemoryMb is <= 0 || request.MaxProcesses is <= 0 || request.DiskMb is <= 0)
        {
            throw new BadConfigException(capabilities.Provider, "CreateSandboxRequest resource limits (Cpus, MemoryMb, MaxProcesses, DiskMb) must be positive.");
        }

        ValidateEnvironment(capabilities.Provider, request.Envs, "CreateSandboxRequest.Envs");
        RequireIf(capabilities, request.Labels is { Count: > 0 }, Capability.Labels, "CreateSandboxRequest.Labels");
        RequireIf(capabilities, request.Envs is { Count: > 0 }, Capability.Environment, "CreateSandboxRequest.Envs");
        RequireIf(capabilities, request.TimeoutSeconds is not null, Capability.Lifetime, "CreateSandboxRequest.TimeoutSeconds");
        RequireIf(capabilities, request.Cpus is not null, Capability.CpuLimit, "CreateSandboxRequest.Cpus");
        RequireIf(capabilities, request.MemoryMb is not null, Capability.MemoryLimit, "CreateSandboxRequest.MemoryMb");
        RequireIf(capabilities, request.MaxProcesses is not null, Capability.ProcessLimit, "CreateSandboxRequest.MaxProcesses");
        RequireIf(capabilities, request.DiskMb is not null, Capability.DiskLimit, "CreateSandboxRequest.DiskMb");
        RequireIf(capabilities, !string.IsNullOrEmpty(request.Gpu), Capability.Gpu, "CreateSandboxRequest.Gpu");
        RequireIf(capabilities, request.Network is not null, Capability.NetworkPolicy, "CreateSandboxRequest.Network");
        RequireIf(capabilities, request.NetworkAllow is { Count: > 0 }, Capability.NetworkAllow, "CreateSandboxRequest.NetworkAllow");
        RequireIf(capabilities, !string.IsNullOrEmpty(request.Snapshot), Capability.Snapshot, "CreateSandboxRequest.Snapshot");
        RequireIf(capabilities, !string.IsNullOrEmpty(request.Image), Capability.Images, "CreateSandboxRequest.Image");
    }

    public static void Validate(ProviderCapabilities capabilities, RunCommandRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Cmd))
        {
            throw new BadConfigException(capabilities.Provider, "RunCommandRequest.Cmd must not be empty.");
        }

        // A command line reaches the sandbox as a C string (an argument, or a line of a script): a NUL would cut it short.
        RefuseNul(capabilities.Provider, request.Cmd, "RunCommandRequest.Cmd");
        RefuseNul(capabilities.Provider, request.Cwd, "RunCommandRequest.Cwd");
        ValidateEnvironment(capabilities.Provider, request.Env, "RunCommandRequest.Env");

        if (request.TimeoutSeconds is <= 0 or double.NaN)
        {
            throw new BadConfigException(capabilities.Provider, $"RunCommandRequest.TimeoutSeconds must be positive, not {request.TimeoutSeconds}.");
        }

        RequireIf(capabilities, request.Env is { Count: > 0 }, Capability.Environment, "RunCommandRequest.Env");
        RequireIf(capabilities, !string.IsNullOrEmpty(request.User), Capability.RunAsUser, "RunCommandRequest.User");
        RequireIf(capabilities, request.KeepStdinOpen, Capability.CommandsStdin, "RunCommandRequest.KeepStdinOpen");
    }

    public static void Validate(ProviderCapabilities capabilities, CreatePtyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Rows is <= 0 or > 10_000 || request.Cols is <= 0 or > 10_000)
        {
            throw new BadConfigException(capabilities.Provider, $"A terminal needs between 1 and 10000 rows and columns, not {request.Rows}x{request.Cols}.");
        }

        RefuseNul(capabilities.Provider, request.Command, "CreatePtyRequest.Command");
        ValidateEnvironment(capabilities.Provider, request.Env, "CreatePtyRequest.Env");
        RequireIf(capabilities, request.Env is { Count: > 0 }, Capability.Environment, "CreatePtyRequest.Env");
        RequireIf(capabilities, !string.IsNullOrEmpty(request.User), Capability.RunAsUser, "CreatePtyRequest.User");
    }

    public static void Validate(ProviderCapabilities capabilities, RunCodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Code is null)
        {
            throw new BadConfigException(capabilities.Provider, "RunCodeRequest.Code must not be null.");
        }

        if (request.TimeoutSeconds is <= 0 or double.NaN)
        {
            throw new BadConfigException(capabilities.Provider, $"RunCodeRequest.TimeoutSeconds must be positive, not {request.TimeoutSeconds}.");
        }

        if (request.ContextId is not null && (request.Cwd is not null || request.Env is { Count: > 0 } || request.Language is not null))
        {
            // A context has one interpreter: its language, directory and environment were fixed when it was created.
            throw new BadConfigException(capabilities.Provider,
                "RunCodeRequest.Language, Cwd and Env apply to one-off runs; a context takes them from CreateCodeContextRequest.");
        }

        ValidateEnvironment(capabilities.Provider, request.Env, "RunCodeRequest.Env");
        RequireIf(capabilities, request.Env is { Count: > 0 }, Capability.Environment, "RunCodeRequest.Env");
    }

    public static void Validate(ProviderCapabilities capabilities, CreateCodeContextRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateEnvironment(capabilities.Provider, request.Env, "CreateCodeContextRequest.Env");
        RequireIf(capabilities, request.Env is { Count: > 0 }, Capability.Environment, "CreateCodeContextRequest.Env");
    }

    public static void ValidatePath(string provider, string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidSandboxPathException(provider, path ?? string.Empty, "a path is required");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidSandboxPathException(provider, path.Replace("\0", "\\0", StringComparison.Ordinal), "it contains a NUL character");
        }
    }

    /// <summary>
    /// Refuses what no process environment can hold, whatever the provider: an empty name, a name with <c>=</c> (the
    /// kernel splits an entry at its first one) and a NUL in a name or value (an entry is a C string, so it would be cut
    /// short). Providers refuse further names their own way of setting variables cannot take.
    /// </summary>
    private static void ValidateEnvironment(string provider, IReadOnlyDictionary<string, string>? env, string what)
    {
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                throw new BadConfigException(provider, $"{what}: '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a valid environment variable name.");
            }

            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new BadConfigException(provider, $"{what}: the value of {name} {(value is null ? "is null" : "contains a NUL character")}.");
            }
        }
    }

    private static void RefuseNul(string provider, string? text, string what)
    {
        if (text is not null && text.Contains('\0', StringComparison.Ordinal))
        {
            throw new BadConfigException(provider, $"{what} contains a NUL character, which cannot reach the sandbox.");
        }
    }

    private static void RequireIf(ProviderCapabilities capabilities, bool condition, Capability capability, string what)
    {
        if (condition)
        {
            capabilities.Require(capability, what);
        }
    }
}
