using Microsoft.CodeAnalysis;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>A diagnostic to report, kept as plain data (descriptor id, location, message arguments) so it is equatable.</summary>
    internal sealed record DiagnosticInfo(string DescriptorId, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new(descriptor.Id, location, arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(
                CapabilityDiagnostics.ById(DescriptorId),
                Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
                System.Linq.Enumerable.ToArray<object>(Arguments));
    }
}
