namespace Sandboxes;

// Writing a file: idempotent as declared only while its body can be rewound, so the idempotency is decided per call.
internal sealed partial class ResilientSandboxProvider
{
    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        // A seekable body is rewound before each attempt, so the write can be repeated; any other is sent once.
        var start = content.CanSeek ? content.Position : -1;
        return ExecuteAsync("files.write", start >= 0 ? Idempotency.Idempotent : Idempotency.Never, Infinite, Infinite, ct =>
        {
            if (start >= 0)
            {
                content.Position = start;
            }

            return Unit(_inner.WriteFileAsync(sandboxId, path, content, options, ct));
        }, cancellationToken);
    }
}
