namespace Sandboxes;

/// <summary>
/// The one place where the synchronous API waits for asynchronous work. The library's own awaits never capture the
/// caller's context (CA2007 is an error in this project); in addition the bridge clears the ambient
/// <see cref="SynchronizationContext"/> while the work starts, so that a provider or callback which forgets
/// <c>ConfigureAwait(false)</c> still cannot post its continuation back to a thread that is blocked here.
/// </summary>
internal static class SyncBridge
{
    public static T Run<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var previous = SynchronizationContext.Current;
        Task<T> task;
        try
        {
            SynchronizationContext.SetSynchronizationContext(null);
            task = operation(cancellationToken);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        return task.GetAwaiter().GetResult();
    }

    public static void Run(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var previous = SynchronizationContext.Current;
        Task task;
        try
        {
            SynchronizationContext.SetSynchronizationContext(null);
            task = operation(cancellationToken);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        task.GetAwaiter().GetResult();
    }
}
