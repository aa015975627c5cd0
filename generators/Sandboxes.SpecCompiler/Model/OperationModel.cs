namespace Sandboxes.Generators.Model
{
    internal enum ParameterKind
    {
        Path,
        Query,
        Header,
        Body,
        Part,
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
        EquatableArray<string> ResponseHeaders)
    {
        /// <summary>True when a <c>...WithResponse</c> twin is generated: a JSON response whose spec declares headers.</summary>
        public bool HasResponseTwin => ResponseKind == ResponseKind.Json && ResponseHeaders.Count > 0;

        /// <summary>True when the response is read item by item (server-sent events or JSON lines) through a stream helper.</summary>
        public bool IsStreamed => ResponseKind is ResponseKind.ServerSentEvents or ResponseKind.EventData or ResponseKind.JsonLines;
    }

    /// <summary>
    /// A method parameter. <see cref="CSharpType"/> is what the signature says; <see cref="JsonType"/>, when set, is the type
    /// whose JSON metadata serializes it (JSON bodies and JSON parts).
    /// </summary>
    internal sealed record ParameterModel(
        string Name,
        string WireName,
        ParameterKind Location,
        string CSharpType,
        bool Required,
        string? Doc,
        string Style,
        bool Explode,
        bool CatchAll,
        TypeRef? JsonType);
}
