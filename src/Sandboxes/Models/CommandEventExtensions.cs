using System.Runtime.CompilerServices;
using System.Text;

namespace Sandboxes;

/// <summary>Reading a command's output events (<see cref="Sandbox.StreamCommandAsync(RunCommandRequest, CancellationToken)"/>, <see cref="Sandbox.AttachCommandAsync"/>) as text.</summary>
public static class CommandEventExtensions
{
    /// <summary>
    /// The command's output line by line as it is produced, stdout and stderr interleaved in arrival order, without line
    /// terminators; the exit event is read but yields no line. A partial last line is yielded when the output ends.
    /// </summary>
    /// <example><code>
    /// await foreach (var line in sandbox.StreamCommandAsync("make test").ReadLinesAsync())
    ///     Console.WriteLine(line);
    /// </code></example>
    public static async IAsyncEnumerable<string> ReadLinesAsync(this IAsyncEnumerable<CommandEvent> events,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);

        // A chunk may end mid-line, and stdout and stderr arrive interleaved: keep a partial line per stream.
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var buffer = e.Kind switch
            {
                CommandEventKind.Stdout => stdout,
                CommandEventKind.Stderr => stderr,
                _ => null,
            };
            if (buffer is null)
            {
                continue;
            }

            buffer.Append(e.Text);
            foreach (var line in TakeLines(buffer))
            {
                yield return line;
            }
        }

        foreach (var rest in new[] { stdout, stderr }.Where(b => b.Length > 0))
        {
            yield return rest.ToString().TrimEnd('\r');
        }
    }

    private static List<string> TakeLines(StringBuilder buffer)
    {
        var lines = new List<string>();
        var text = buffer.ToString();
        var start = 0;
        int newline;
        while ((newline = text.IndexOf('\n', start)) >= 0)
        {
            lines.Add(text[start..newline].TrimEnd('\r'));
            start = newline + 1;
        }

        buffer.Remove(0, start);
        return lines;
    }
}
