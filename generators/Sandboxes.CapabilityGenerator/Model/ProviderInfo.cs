namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// The descriptive part of a table (everything but the capability rows): what the emitted
    /// <c>ProviderDescriptor</c> carries. Holds no locations, so it stays equal when a table's layout changes.
    /// </summary>
    internal sealed record ProviderInfo(
        string Id,
        string DisplayName,
        string? Description,
        int? DetectionOrder,
        bool CredentialsOptional,
        EquatableArray<string> CredentialVariables,
        EquatableArray<string> CredentialKeys,
        EquatableArray<string> SettingVariables,
        EquatableArray<string> SettingKeys,
        string? DefaultBaseUrl,
        EquatableArray<string> Specs)
    {
        public static readonly ProviderInfo Empty = new(
            string.Empty, string.Empty, null, null, false, EquatableArray<string>.Empty, EquatableArray<string>.Empty,
            EquatableArray<string>.Empty, EquatableArray<string>.Empty, null, EquatableArray<string>.Empty);
    }
}
