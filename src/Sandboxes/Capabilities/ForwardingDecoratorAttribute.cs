namespace Sandboxes.Providers;

/// <summary>
/// Marks a <c>partial</c> class deriving from <see cref="SandboxProvider"/> whose every contract member the capability
/// generator forwards to an inner adapter: each operation becomes a call of the class's own <c>ForwardAsync</c> (or
/// <c>ForwardStream</c>) with the name, idempotency and timing its <see cref="ProviderCapabilityAttribute"/> declares.
/// Members the class overrides itself are left to it. Adding an operation to the contract therefore needs no edit here.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class ForwardingDecoratorAttribute : Attribute;
