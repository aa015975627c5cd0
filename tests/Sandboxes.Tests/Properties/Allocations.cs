namespace Sandboxes.Tests.Properties;

/// <summary>
/// The bytes a synchronous piece of work allocated on this thread: a parser handed a length field that claims
/// gigabytes must not allocate more than a small multiple of what it really read.
/// </summary>
public static class Allocations
{
    /// <summary>Runs <paramref name="work"/> on this thread and returns what it allocated.</summary>
    public static long Of(Action work)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        work();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
