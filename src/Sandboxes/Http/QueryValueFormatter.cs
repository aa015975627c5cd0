using System.Reflection;
using Refit;

namespace Sandboxes.Http;

/// <summary>
/// Formats path and query values as OpenAPI servers read them: booleans as <c>true</c>/<c>false</c> and dates as
/// RFC 3339 (Refit's default writes .NET's <c>True</c> and <c>01/02/2026 03:04:05 +00:00</c>, which a validating server
/// refuses); everything else as Refit's default does.
/// </summary>
internal sealed class QueryValueFormatter : IUrlParameterFormatter
{
    private readonly DefaultUrlParameterFormatter _default = new();

    public string? Format(object? value, ICustomAttributeProvider attributeProvider, Type type) => value switch
    {
        bool flag => flag ? "true" : "false",
        DateTimeOffset time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        _ => _default.Format(value, attributeProvider, type),
    };
}
