namespace Sandboxes.Generators.Model
{
    /// <summary>Which spec produced which client name.</summary>
    internal sealed record ClientKey(string ClientName, string SourceFile);
}
