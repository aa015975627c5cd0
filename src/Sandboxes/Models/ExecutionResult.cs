using System.Text.Json;

namespace Sandboxes;

/// <summary>
/// The outcome of running code: what it printed, the error it raised, its rich outputs and the value of its last
/// expression. Code that raises is a result with <see cref="Error"/> set, not an exception.
/// </summary>
public sealed record ExecutionResult
{
    /// <summary>Everything the code wrote to stdout.</summary>
    public string Stdout { get; init; } = string.Empty;

    /// <summary>Everything the code wrote to stderr.</summary>
    public string Stderr { get; init; } = string.Empty;

    /// <summary>
    /// The exit code of the process for a one-off run (128 + N when killed by signal N). In a context, where the
    /// interpreter keeps running, 0 when the code finished and 1 when it raised.
    /// </summary>
    public int ExitCode { get; init; }

    /// <summary>The error the code raised (or the compiler reported), or null.</summary>
    public ExecutionError? Error { get; init; }

    /// <summary>Rich outputs in the order they were produced: display data, and the last expression's value.</summary>
    public IReadOnlyList<MimeBundle> Results { get; init; } = [];

    /// <summary>The language the code ran as.</summary>
    public CodeLanguage Language { get; init; }

    /// <summary>The context it ran in, or null for a one-off run.</summary>
    public string? ContextId { get; init; }

    /// <summary>How long it ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>True when the code finished without an error and, for a one-off run, exited with 0.</summary>
    public bool Succeeded => Error is null && ExitCode == 0;

    /// <summary>The value of the last expression (<c>x = 10\nx * 2</c> gives <c>"20"</c>) as text, or null when the
    /// code did not end with an expression that has a value.</summary>
    public string? Text => MainResult?.Text;

    /// <summary>The value of the last expression as a rich output, or null.</summary>
    public MimeBundle? MainResult => Results.LastOrDefault(r => r.IsMainResult);

    /// <summary>The first PNG image produced (a matplotlib figure, an <c>IPython.display.Image</c>), or null.</summary>
    public byte[]? Png => First(MimeTypes.Png)?.Png;

    /// <summary>The first HTML output, or null.</summary>
    public string? Html => First(MimeTypes.Html)?.Html;

    /// <summary>The first SVG output, or null.</summary>
    public string? Svg => First(MimeTypes.Svg)?.Svg;

    /// <summary>The first JSON output, or null.</summary>
    public JsonElement? Json => First(MimeTypes.Json)?.Json;

    /// <summary>The first output that has <paramref name="mimeType"/>: the main result first, then display data in order.</summary>
    public MimeBundle? First(string mimeType) =>
        MainResult is { } main && main.Has(mimeType) ? main : Results.FirstOrDefault(r => r.Has(mimeType));
}
