using System.Text.RegularExpressions;
using Sandboxes.CodeExecution;

namespace Sandboxes.Providers.Jupyter;

/// <summary>Turns a kernel's IOPub messages into what <see cref="ExecutionBuilder"/> collects.</summary>
internal static partial class KernelOutput
{
    /// <summary>Applies one IOPub message of an execution: streams, results, display data and errors.</summary>
    public static void Apply(KernelMessage message, ExecutionBuilder builder)
    {
        switch (message.Type)
        {
            case "stream":
                var text = message.String("text") ?? string.Empty;
                if (message.String("name") == "stderr")
                {
                    builder.AddStderr(text);
                }
                else
                {
                    builder.AddStdout(text);
                }

                break;
            case "execute_result" or "display_data" when message.Content.TryGetProperty("data", out var data):
                if (MimeBundleReader.Read(data, message.Type == "execute_result") is { } bundle)
                {
                    builder.AddResult(bundle);
                }

                break;
            case "error":
                builder.SetError(Error(message));
                break;
        }
    }

    /// <summary>The error of an <c>error</c> message, its traceback without terminal colours.</summary>
    public static ExecutionError Error(KernelMessage message)
    {
        var lines = new List<string>();
        if (message.Content.TryGetProperty("traceback", out var traceback) && traceback.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            lines.AddRange(traceback.EnumerateArray().Select(l => l.GetString() ?? string.Empty));
        }

        return new ExecutionError(message.String("ename") ?? "Error", message.String("evalue") ?? string.Empty,
            Ansi().Replace(string.Join('\n', lines), string.Empty));
    }

    [GeneratedRegex("\u001b\\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
