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
        EquatableArray<ServerVariableModel> ServerVariables,
        string ProviderName,
        EquatableArray<SecuritySchemeModel> SecuritySchemes,
        EquatableArray<TypeModel> Types,
        EquatableArray<OperationModel> Operations,
        EquatableArray<TypeRef> JsonTypes)
    {
        public string InterfaceName => "I" + ClientName + "Api";

        public string ClassName => ClientName + "Client";

        public string ContextName => ClientName + "JsonContext";

        public string QualifiedContext => "global::" + Namespace + "." + ContextName;
    }

    internal sealed record ServerVariableModel(string Name, string Default);

    internal sealed record SecuritySchemeModel(string Key, string FieldName, string Kind, string Location, string ParameterName);

    /// <summary>The result of parsing one spec: a model (null when nothing could be generated) and the diagnostics to report.</summary>
    internal sealed record ParseResult(ApiModel? Api, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>A diagnostic as data: the descriptor id, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, string FilePath, int Line, int Column, EquatableArray<string> Arguments);
}
