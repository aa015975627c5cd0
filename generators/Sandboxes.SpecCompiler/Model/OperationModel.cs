namespace Sandboxes.Generators.Model
{
    internal enum ParameterLocation
    {
        Path,
        Query,
        Header,
        Cookie,
        Body,
        Part,
        FormField,
    }

    internal enum BodyKind
    {
        None,
        Json,
        Stream,
        Multipart,
        Form,
        Text,
    }

    internal enum ResponseKind
    {
        None,
        Json,
        Text,
        Stream,
        ServerSentEvents,
        EventData,
        JsonLines,
    }

    /// <summary>One operation: a method of the interface with its route, parameters, body and response.</summary>
    internal sealed record OperationModel(
        string Name,
        string Method,
        string Path,
        string? OperationId,
        string? Summary,
        string? Description,
        bool Deprecated,
        EquatableArray<ParameterModel> Parameters,
        BodyKind BodyKind,
        string? BodyContentType,
        ResponseKind ResponseKind,
        TypeRef? ResponseType,
        string? ResponseContentType,
        EquatableArray<string> ResponseHeaders,
        EquatableArray<EquatableArray<string>> Security)
    {
        /// <summary>True when a <c>...WithResponse</c> twin is generated: a JSON response whose spec declares headers.</summary>
        public bool HasResponseTwin => ResponseKind == ResponseKind.Json && ResponseHeaders.Count > 0;
    }

    /// <summary>
    /// A method parameter. <see cref="CSharpType"/> is what the signature says; <see cref="JsonType"/>, when set, is the type
    /// whose JSON metadata serializes it (JSON bodies and JSON parts).
    /// </summary>
    internal sealed record ParameterModel(
        string Name,
        string WireName,
        ParameterLocation Location,
        string CSharpType,
        bool Required,
        string? Doc,
        string Style,
        bool Explode,
        bool CatchAll,
        TypeRef? JsonType);
}
