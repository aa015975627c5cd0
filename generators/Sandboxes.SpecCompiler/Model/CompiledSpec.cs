using System.Collections.Generic;

namespace Sandboxes.Generators.Model
{
    /// <summary>The source compiled from one spec (null when nothing could be generated), its client name and its diagnostics.</summary>
    internal sealed record CompiledSpec(SpecRequest Request, string? ClientName, string? Source, IReadOnlyList<DiagnosticInfo> Diagnostics);
}
