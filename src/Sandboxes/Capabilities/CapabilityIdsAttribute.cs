namespace Sandboxes.Providers;

/// <summary>
/// Marks <see cref="Capability.Ids"/>: the capability generator gives <see cref="Capability"/> one static value per id
/// constant (<see cref="Capability.Pty"/> for <see cref="Capability.Ids.Pty"/>) and <see cref="Capability.WellKnown"/>,
/// in declaration order, so a new capability is declared once, as its constant.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class CapabilityIdsAttribute : Attribute;
