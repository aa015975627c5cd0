namespace Sandboxes;

/// <summary>Which sandboxes to list. Every criterion given must match.</summary>
public sealed record ListSandboxesFilter
{
    /// <summary>Only this provider's sandboxes (must be the client's provider when given).</summary>
    public string? Provider { get; init; }

    /// <summary>Labels that must all be present with these values.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Only sandboxes in this state.</summary>
    public SandboxStatus? Status { get; init; }

    /// <summary>At most this many results.</summary>
    public int? Limit { get; init; }

    /// <summary>True when <paramref name="info"/> matches the labels and status of this filter.</summary>
    public bool Matches(SandboxInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (Status is { } status && info.Status != status)
        {
            return false;
        }

        if (Labels is not null)
        {
            foreach (var (key, value) in Labels)
            {
                if (!info.Labels.TryGetValue(key, out var actual) || actual != value)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
