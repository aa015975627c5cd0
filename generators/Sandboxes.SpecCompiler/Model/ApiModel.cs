namespace Sandboxes.Generators.Model
{
    /// <summary>What the parser read from one spec and the emitter writes: names, types and operations as strings and flags only.</summary>
    internal sealed record ApiModel(
        string SourceFile,
        string Namespace,
        string ClientName,
        string Visibility,
        string Title,
        string? Description,
        string Version,
        string DefaultBaseUrl,
        EquatableArray<TypeModel> Types,
        EquatableArray<OperationModel> Operations,
        EquatableArray<TypeRef> JsonTypes)
    {
        public string InterfaceName => "I" + ClientName + "Api";

        public string StreamsName => ClientName + "ApiStreams";

        public string ContextName => ClientName + "JsonContext";

        public string QualifiedContext => "global::" + Namespace + "." + ContextName;
    }

    /// <summary>The result of parsing one spec: a model (null when nothing could be generated) and the diagnostics to report.</summary>
    internal sealed record ParseResult(ApiModel? Api, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>A diagnostic as data: the descriptor id, the spec file, the JSON pointer into it (or empty), and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, string FilePath, string Pointer, EquatableArray<string> Arguments);
}
