namespace Sandboxes.Generators.Capabilities
{
    /// <summary>What a forwarded member returns, which decides the decorator method its forward calls.</summary>
    internal enum ForwardShape
    {
        /// <summary><c>Task</c>: forwarded through <c>ForwardAsync</c> with a <c>Func&lt;CancellationToken, Task&gt;</c>.</summary>
        Task,

        /// <summary><c>Task&lt;T&gt;</c>: forwarded through <c>ForwardAsync</c> with a <c>Func&lt;CancellationToken, Task&lt;T&gt;&gt;</c>.</summary>
        TaskOfResult,

        /// <summary><c>IAsyncEnumerable&lt;T&gt;</c>: forwarded through <c>ForwardStream</c>, always live.</summary>
        AsyncEnumerable,
    }
}
