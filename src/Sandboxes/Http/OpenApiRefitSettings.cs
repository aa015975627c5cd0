using System.Text.Json.Serialization;
using Refit;

namespace Sandboxes.Http;

/// <summary>
/// Refit settings for a client the spec compiler generated (a <c>SandboxesSpec</c> item): bodies read and written with the
/// spec's generated JSON context, and path and query values written as OpenAPI servers read them (booleans as
/// <c>true</c>/<c>false</c>, dates as RFC 3339, where Refit's default writes .NET's <c>True</c> and a culture's date).
/// </summary>
/// <example>
/// <code>
/// var api = RestService.ForGenerated&lt;IVendorApi&gt;(http, OpenApiRefitSettings.For(VendorJsonContext.Default));
/// services.AddRefitGeneratedClient&lt;IVendorApi&gt;(OpenApiRefitSettings.For(VendorJsonContext.Default));
/// </code>
/// </example>
public static class OpenApiRefitSettings
{
    /// <summary>Settings for a generated client whose types <paramref name="json"/> (its <c>{Name}JsonContext</c>) describes.</summary>
    /// <param name="json">The spec's generated JSON context, e.g. <c>VendorJsonContext.Default</c>.</param>
    /// <returns>New settings, which the caller may change further (handlers, an exception factory, buffering).</returns>
    public static RefitSettings For(JsonSerializerContext json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var settings = RefitSettings.ForJsonContext(json);
        settings.UrlParameterFormatter = new QueryValueFormatter();
        return settings;
    }
}
