using System.Globalization;
using Sandboxes.Providers.Daytona.Api;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Daytona;

/// <summary>Turns a <see cref="CreateSandboxRequest"/> into Daytona's <c>CreateSandbox</c> body.</summary>
internal static class DaytonaCreateRequest
{
    /// <summary>
    /// Builds the body. Labels travel as Daytona labels and environment variables as <c>env</c>: the two are never mixed.
    /// Values Daytona cannot represent exactly are refused rather than rounded, except the lifetime, which Daytona counts
    /// in whole minutes and which is rounded up (the sandbox may live up to a minute longer, never shorter).
    /// </summary>
    /// <param name="request">What the caller asked for (already checked against the capability table).</param>
    /// <param name="options">The provider's settings (target, default resources, auto-stop).</param>
    /// <param name="snapshotLabels">Reads the labels a snapshot carries (those of the sandbox it was taken from).</param>
    /// <param name="cancellationToken">Cancels the snapshot lookup.</param>
    public static async Task<CreateSandbox> BuildAsync(CreateSandboxRequest request, DaytonaOptions options,
        Func<string, CancellationToken, Task<IReadOnlyDictionary<string, string>>> snapshotLabels, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.Template) && !string.IsNullOrEmpty(request.Snapshot) && request.Template != request.Snapshot)
        {
            throw new BadConfigException(DaytonaProvider.ProviderId,
                "Daytona starts a sandbox from one snapshot: give CreateSandboxRequest.Template or .Snapshot, not two different ones.");
        }

        foreach (var name in request.Envs?.Keys ?? [])
        {
            if (!ShellQuote.IsVariableName(name))
            {
                throw new BadConfigException(DaytonaProvider.ProviderId, $"'{name}' is not a valid environment variable name.");
            }
        }

        var snapshot = string.IsNullOrEmpty(request.Snapshot) ? request.Template : request.Snapshot;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(request.Snapshot))
        {
            // Daytona snapshots carry files, not labels: the library's snapshots also carry the labels of their source.
            foreach (var (key, value) in await snapshotLabels(request.Snapshot, cancellationToken).ConfigureAwait(false))
            {
                labels[key] = value;
            }
        }

        foreach (var (key, value) in request.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var (gpu, gpuType) = ParseGpu(request.Gpu);
        return new CreateSandbox
        {
            Name = request.Name,
            Snapshot = snapshot,
            Labels = labels,
            Env = request.Envs is { Count: > 0 } envs ? new Dictionary<string, string>(envs) : new Dictionary<string, string>(),
            Target = options.Target,
            Cpu = options.Cpu,
            Memory = options.MemoryGib,
            Disk = WholeGib(request.DiskMb),
            Gpu = gpu,
            GpuType = gpuType,
            NetworkBlockAll = request.Network is null ? null : request.Network == NetworkPolicy.None,
            TtlMinutes = request.TimeoutSeconds is { } seconds ? (seconds + 59) / 60 : null,
            AutoStopInterval = options.AutoStopInterval,
        };
    }

    /// <summary>Disk in whole GiB, as Daytona allocates it.</summary>
    private static long? WholeGib(int? megabytes)
    {
        if (megabytes is not { } mb)
        {
            return null;
        }

        return mb % 1024 == 0
            ? mb / 1024
            : throw new BadConfigException(DaytonaProvider.ProviderId,
                $"Daytona allocates disk in whole GiB: CreateSandboxRequest.DiskMb must be a multiple of 1024, not {mb}.");
    }

    /// <summary>A GPU as <c>N</c> (a count), <c>TYPE</c> (one of that type) or <c>N:TYPE</c>.</summary>
    private static (long? Count, List<GpuType>? Types) ParseGpu(string? gpu)
    {
        if (string.IsNullOrWhiteSpace(gpu))
        {
            return (null, null);
        }

        var parts = gpu.Trim().Split(':', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 1)
        {
            return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
                ? (count, null)
                : (1, [new GpuType(parts[0])]);
        }

        return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && parts[1].Length > 0
            ? (n, [new GpuType(parts[1])])
            : throw new BadConfigException(DaytonaProvider.ProviderId, $"CreateSandboxRequest.Gpu must be N, TYPE or N:TYPE (for example 1, H100 or 2:H100), not '{gpu}'.");
    }
}
