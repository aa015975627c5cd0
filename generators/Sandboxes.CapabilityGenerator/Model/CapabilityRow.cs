namespace Sandboxes.Generators.Capabilities
{
    /// <summary>One capability entry of a table; <see cref="Location"/> points at its key in the JSON file.</summary>
    internal sealed record CapabilityRow(string Id, SupportLevel Support, string? Note, LocationInfo Location);
}
