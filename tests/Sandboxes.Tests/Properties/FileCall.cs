using System.Text;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// One file call with hostile input, and the checks every such call must pass: it ends within its bound, returns or
/// refuses with a typed error, shows nothing of the host canary, and leaves the canary as it was.
/// </summary>
public static class FileCall
{
    /// <summary>True for the calls that change the sandbox's files.</summary>
    public static bool Mutates(FileOperation operation) => operation is FileOperation.Write or FileOperation.MakeDir or FileOperation.Remove;

    /// <summary>Runs the call and checks it; throws <see cref="PropertyViolation"/> naming what broke.</summary>
    public static void RunAndCheck(Sandbox sandbox, HostCanary canary, TimeSpan bound, FileOperation operation, string path, byte[] content)
    {
        var what = $"{operation}({Printable(path)})";
        var outcome = Bounded.Run<object?>(bound, async ct => operation switch
        {
            FileOperation.Read => await sandbox.ReadFileAsync(path, ct),
            FileOperation.Write => await Done(sandbox.WriteFileAsync(path, content, cancellationToken: ct)),
            FileOperation.List => await sandbox.ListDirectoryAsync(path, ct),
            FileOperation.MakeDir => await Done(sandbox.MakeDirAsync(path, ct)),
            FileOperation.Remove => await Done(sandbox.RemoveAsync(path, ct)),
            FileOperation.Exists => await sandbox.ExistsAsync(path, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        }, what);

        PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{what} {outcome}\n{outcome.Error}");
        switch (outcome.Value)
        {
            case byte[] bytes:
                PropertyViolation.Unless(!canary.LeaksInto(bytes), $"{what} returned the host canary's content");
                break;
            case IReadOnlyList<FileEntry> entries:
                PropertyViolation.Unless(!canary.ListedIn(entries), $"{what} listed the host canary's directory: {string.Join(", ", entries.Select(e => e.Name))}");
                break;
        }

        PropertyViolation.Unless(!canary.LeaksInto(outcome.Error?.Message), $"{what} put the host canary's content in its error: {outcome.Error?.Message}");
        PropertyViolation.Unless(canary.IsUntouched, $"{what} changed the host canary");
    }

    /// <summary>The path with control characters escaped, for messages.</summary>
    public static string Printable(string text)
    {
        var result = new StringBuilder();
        foreach (var c in text.Length > 300 ? text[..300] + "..." : text)
        {
            result.Append(c < 0x20 || c is >= '\ud800' and <= '\udfff' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return result.ToString();
    }

    private static async Task<object?> Done(Task task)
    {
        await task;
        return null;
    }
}
