using Microsoft.CodeAnalysis.Text;
using Sandboxes.Generators.Capabilities;
using Sandboxes.Testing;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>
/// The capability tables on disk, read with the generator's own parser: the repository's <c>specs/*/provider.json</c>
/// and the test adapters' tables. <see cref="ToDescriptor"/> builds from a table the descriptor the generator would emit.
/// </summary>
internal static class TableFiles
{
    /// <summary>The repository's provider tables, by folder.</summary>
    public static IReadOnlyList<string> Specs { get; } = Directory.GetDirectories(Path.Combine(Requires.RepositoryRoot, "specs"))
        .Select(d => Path.Combine(d, "provider.json"))
        .Where(File.Exists)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The test adapters' tables.</summary>
    public static IReadOnlyList<string> TestAdapters { get; } = Directory.GetDirectories(
            Path.Combine(Requires.RepositoryRoot, "tests", "Sandboxes.CapabilityGenerator.Tests", "TestAdapters"))
        .Select(d => Path.Combine(d, "provider.json"))
        .Where(File.Exists)
        .Order(StringComparer.Ordinal)
        .ToList();

    public static TableModel Parse(string path) => TableParser.Parse(path, SourceText.From(File.ReadAllText(path)));

    /// <summary>The table of a provider id, from specs/ or the test adapters; null when there is none.</summary>
    public static TableModel? Find(string providerId) =>
        Specs.Concat(TestAdapters).Select(Parse).FirstOrDefault(t => string.Equals(t.Id, providerId, StringComparison.OrdinalIgnoreCase));

    /// <summary>The descriptor of a valid table, as the generator emits it.</summary>
    public static ProviderDescriptor ToDescriptor(TableModel table)
    {
        var provider = table.Provider;
        return new ProviderDescriptor(
            provider.Id,
            provider.DisplayName,
            table.Capabilities.Select(r => new CapabilityEntry(new Capability(r.Id), ToSupport(r.Support), r.Note)))
        {
            Description = provider.Description,
            DetectionOrder = provider.DetectionOrder,
            CredentialsOptional = provider.CredentialsOptional,
            CredentialVariables = provider.CredentialVariables.ToList(),
            CredentialKeys = provider.CredentialKeys.ToList(),
            SettingVariables = provider.SettingVariables.ToList(),
            SettingKeys = provider.SettingKeys.ToList(),
            DefaultBaseUrl = provider.DefaultBaseUrl is null ? null : new Uri(provider.DefaultBaseUrl),
            Specs = provider.Specs.ToList(),
        };
    }

    private static CapabilitySupport ToSupport(SupportLevel level) => level switch
    {
        SupportLevel.Native => CapabilitySupport.Native,
        SupportLevel.Emulated => CapabilitySupport.Emulated,
        _ => CapabilitySupport.NotSupported,
    };
}
