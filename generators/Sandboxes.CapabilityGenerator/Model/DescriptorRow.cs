namespace Sandboxes.Generators.Capabilities
{
    /// <summary>A capability row as the emitted descriptor carries it (no location).</summary>
    internal sealed record DescriptorRow(string Id, SupportLevel Support, string? Note);
}
