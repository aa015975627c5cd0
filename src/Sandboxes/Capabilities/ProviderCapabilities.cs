using System.Collections;

namespace Sandboxes;

/// <summary>The capability table of one provider, as a lookup.</summary>
public sealed class ProviderCapabilities : IReadOnlyCollection<CapabilityEntry>
{
    private readonly Dictionary<Capability, CapabilityEntry> _entries;

    /// <summary>Creates the table; capabilities not listed are not supported.</summary>
    public ProviderCapabilities(string provider, IEnumerable<CapabilityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Provider = provider;
        _entries = new Dictionary<Capability, CapabilityEntry>();
        foreach (var entry in entries)
        {
            _entries[entry.Capability] = entry;
        }
    }

    /// <summary>The provider these capabilities belong to.</summary>
    public string Provider { get; }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <summary>True when the capability is native or emulated.</summary>
    public bool Supports(Capability capability) => Get(capability).IsSupported;

    /// <summary>The table's entry for a capability (NotSupported when the table does not list it).</summary>
    public CapabilityEntry Get(Capability capability) =>
        _entries.TryGetValue(capability, out var entry) ? entry : new CapabilityEntry(capability, CapabilitySupport.NotSupported);

    /// <summary>Throws <see cref="FeatureNotSupportedException"/> unless the capability is supported.</summary>
    /// <param name="capability">The capability needed.</param>
    /// <param name="what">What asked for it, for the message (for example <c>CreateSandboxRequest.Cpus</c>).</param>
    public void Require(Capability capability, string? what = null)
    {
        var entry = Get(capability);
        if (!entry.IsSupported)
        {
            var supporters = SandboxProviders.ProvidersSupporting(capability);
            var detail = (what is null ? string.Empty : what + " cannot be honoured. ")
                         + (entry.Note is null ? string.Empty : entry.Note.TrimEnd('.') + ". ")
                         + (supporters.Count == 0 ? "No registered provider supports it." : "Supported by: " + string.Join(", ", supporters) + ".");
            throw new FeatureNotSupportedException(Provider, capability, detail.Trim());
        }
    }

    /// <inheritdoc />
    public IEnumerator<CapabilityEntry> GetEnumerator() => _entries.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
