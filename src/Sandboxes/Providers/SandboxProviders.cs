using System.Collections.Concurrent;
using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// The registry of providers, by name (case-insensitive). Built-in providers register themselves through code the
/// capability generator emits from their tables, so no list of providers is kept by hand; third parties call
/// <see cref="Register"/> (or use the same generator).
/// </summary>
public static class SandboxProviders
{
    private static readonly ConcurrentDictionary<string, Registration> Registrations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers a provider, replacing an earlier registration of the same name.</summary>
    /// <param name="descriptor">What the provider is and can do.</param>
    /// <param name="factory">Creates an adapter for a configuration.</param>
    public static void Register(ProviderDescriptor descriptor, Func<ProviderConfig, SandboxProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(factory);
        Registrations[descriptor.Id] = new Registration(descriptor, factory);
    }

    /// <summary>Removes a registration; returns false when the name was not registered.</summary>
    public static bool Unregister(string name) => Registrations.TryRemove(name, out _);

    /// <summary>The names of every registered provider, sorted.</summary>
    public static IReadOnlyList<string> Names => Registrations.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The descriptors of every registered provider, in auto-detection order, then by name.</summary>
    public static IReadOnlyList<ProviderDescriptor> All =>
        Registrations.Values.Select(r => r.Descriptor)
            .OrderBy(d => d.DetectionOrder ?? int.MaxValue)
            .ThenBy(d => d.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>True when a provider of this name is registered.</summary>
    public static bool IsRegistered(string name) => name is not null && Registrations.ContainsKey(name);

    /// <summary>Describes a provider: its capabilities, credentials and endpoint.</summary>
    /// <exception cref="BadConfigException">No provider of that name is registered; the message lists the known ones.</exception>
    public static ProviderDescriptor Describe(string name) => Find(name).Descriptor;

    /// <summary>The ids of the registered providers that support a capability, sorted.</summary>
    public static IReadOnlyList<string> ProvidersSupporting(Capability capability) =>
        Registrations.Values.Where(r => r.Descriptor.Capabilities.Supports(capability))
            .Select(r => r.Descriptor.Id)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>Creates an adapter for the named provider.</summary>
    /// <exception cref="BadConfigException">No provider of that name is registered.</exception>
    public static SandboxProvider Create(string name, ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Find(name).Factory(config);
    }

    private static Registration Find(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new BadConfigException(string.Empty, "A provider name is required. Known providers: " + string.Join(", ", Names) + ".");
        }

        if (Registrations.TryGetValue(name.Trim(), out var registration))
        {
            return registration;
        }

        throw new BadConfigException(name, $"Unknown provider '{name}'. Known providers: {string.Join(", ", Names)}.");
    }

    private sealed record Registration(ProviderDescriptor Descriptor, Func<ProviderConfig, SandboxProvider> Factory);
}
