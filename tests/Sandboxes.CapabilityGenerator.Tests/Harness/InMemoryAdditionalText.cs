using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>An AdditionalFile held in memory, as the compiler would hand a <c>provider.json</c> to the generator.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;

    /// <summary>A table at <c>/specs/&lt;folder&gt;/provider.json</c>.</summary>
    public static InMemoryAdditionalText Table(string folder, string json) => new($"/specs/{folder}/provider.json", json);
}
