namespace Sandboxes.CodeExecution;

/// <summary>
/// Where the records of process-based contexts are kept, so that every client of a sandbox finds them: a file of the
/// sandbox by default (<see cref="FileContextRegistry"/>), or a provider's own store.
/// </summary>
internal interface IContextRegistry
{
    /// <summary>Saves (or replaces) a record.</summary>
    Task SaveAsync(string sandboxId, ContextRecord record, CancellationToken cancellationToken);

    /// <summary>A record, or null when the sandbox has no such context.</summary>
    /// <exception cref="NotFoundException">The sandbox does not exist.</exception>
    Task<ContextRecord?> ReadAsync(string sandboxId, string contextId, CancellationToken cancellationToken);

    /// <summary>Every record of a sandbox.</summary>
    Task<IReadOnlyList<ContextRecord>> ListAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a record; a missing one is not an error.</summary>
    Task RemoveAsync(string sandboxId, string contextId, CancellationToken cancellationToken);
}
