namespace Sandboxes.Generators.Capabilities
{
    /// <summary>Who implements a contract member for an adapter, as seen before the generator adds anything.</summary>
    internal enum ImplementationState
    {
        /// <summary>Still abstract: nobody implements it.</summary>
        NotImplemented,

        /// <summary>The adapter class itself overrides it.</summary>
        ImplementedByAdapter,

        /// <summary>A base class implements it (a shared base adapter, or a default body in the contract).</summary>
        Inherited,

        /// <summary>A base class implements it and seals it, so no stub can replace it.</summary>
        SealedInBase,
    }
}
