using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sandboxes;

/// <summary>
/// The providers x capabilities matrix, built from provider descriptors (so from the capability tables), rendered as
/// Markdown for the README and as JSON for <c>sandboxes providers --json</c>.
/// </summary>
public sealed class CapabilityMatrix
{
    /// <summary>Builds the matrix of the given providers, ordered as auto-detection tries them, then by id.</summary>
    public CapabilityMatrix(IEnumerable<ProviderDescriptor> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        Providers = providers
            .OrderBy(p => p.DetectionOrder ?? int.MaxValue)
            .ThenBy(p => p.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();

        // Well-known capabilities first, in their documented order; a provider's own capabilities after them.
        var extra = Providers.SelectMany(p => p.Capabilities.Select(e => e.Capability))
            .Where(c => !Capability.WellKnown.Contains(c))
            .Distinct()
            .OrderBy(c => c.Id, StringComparer.Ordinal);
        Capabilities = Capability.WellKnown.Concat(extra).ToList();
    }

    /// <summary>The matrix of every provider registered in <see cref="SandboxProviders"/>.</summary>
    public static CapabilityMatrix ForRegisteredProviders() => new(SandboxProviders.All);

    /// <summary>The providers (columns), in auto-detection order, then by id.</summary>
    public IReadOnlyList<ProviderDescriptor> Providers { get; }

    /// <summary>The capabilities (rows).</summary>
    public IReadOnlyList<Capability> Capabilities { get; }

    /// <summary>Renders the matrix as a Markdown table, with a legend and (by default) the notes of every gap.</summary>
    public string ToMarkdown(CapabilityMatrixOptions? options = null)
    {
        options ??= new CapabilityMatrixOptions();
        var md = new StringBuilder();
        md.Append("| Capability |").AppendJoin(string.Empty, Providers.Select(p => " " + Escape(p.DisplayName) + " |")).Append('\n');
        md.Append("|---|").AppendJoin(string.Empty, Providers.Select(_ => ":-:|")).Append('\n');
        Row(md, "Provider id", p => "`" + p.Id + "`");
        foreach (var capability in Capabilities)
        {
            Row(md, "`" + capability.Id + "`", p => Symbol(p.Capabilities.Get(capability).Support));
        }

        Row(md, "Credentials", CredentialsText);
        Row(md, "Auto-detection order", p => p.DetectionOrder?.ToString(CultureInfo.InvariantCulture) ?? "never");
        if (options.IncludeCredentialStatus)
        {
            Row(md, "Credentials here", p => StatusText(p.GetCredentialStatus(options.Environment)));
        }

        md.Append('\n').Append("native: the provider's own API does it · emulated: the library builds it from other operations · ")
            .Append("—: not supported, the operation throws `FeatureNotSupportedException`.\n");
        if (options.IncludeNotes)
        {
            AppendNotes(md);
        }

        return md.ToString();
    }

    /// <summary>Renders the matrix as JSON: the capability ids, then every provider with its credentials and capability table.</summary>
    public string ToJson(CapabilityMatrixOptions? options = null)
    {
        options ??= new CapabilityMatrixOptions();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = options.IndentJson }))
        {
            json.WriteStartObject();
            json.WriteStartArray("capabilities");
            foreach (var capability in Capabilities)
            {
                json.WriteStringValue(capability.Id);
            }

            json.WriteEndArray();
            json.WriteStartArray("providers");
            foreach (var provider in Providers)
            {
                WriteProvider(json, provider, options);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The word used for a support level in tables and JSON (<c>native</c>, <c>emulated</c>, <c>unsupported</c>).</summary>
    public static string SupportName(CapabilitySupport support) => support switch
    {
        CapabilitySupport.Native => "native",
        CapabilitySupport.Emulated => "emulated",
        _ => "unsupported",
    };

    private void Row(StringBuilder md, string header, Func<ProviderDescriptor, string> cell) =>
        md.Append("| ").Append(header).Append(" |").AppendJoin(string.Empty, Providers.Select(p => " " + cell(p) + " |")).Append('\n');

    private void AppendNotes(StringBuilder md)
    {
        foreach (var provider in Providers)
        {
            var gaps = Capabilities.Select(c => provider.Capabilities.Get(c))
                .Where(e => e.Support != CapabilitySupport.Native && !string.IsNullOrWhiteSpace(e.Note))
                .ToList();
            if (gaps.Count == 0)
            {
                continue;
            }

            md.Append('\n').Append("**").Append(Escape(provider.DisplayName)).Append("**\n\n");
            foreach (var entry in gaps)
            {
                md.Append("- `").Append(entry.Capability.Id).Append("` ").Append(SupportName(entry.Support)).Append(": ")
                    .Append(Escape(entry.Note!)).Append('\n');
            }
        }
    }

    private static void WriteProvider(Utf8JsonWriter json, ProviderDescriptor provider, CapabilityMatrixOptions options)
    {
        json.WriteStartObject();
        json.WriteString("id", provider.Id);
        json.WriteString("displayName", provider.DisplayName);
        WriteStringOrNull(json, "description", provider.Description);
        if (provider.DetectionOrder is { } order)
        {
            json.WriteNumber("detectionOrder", order);
        }
        else
        {
            json.WriteNull("detectionOrder");
        }

        WriteStringOrNull(json, "defaultBaseUrl", provider.DefaultBaseUrl?.OriginalString);
        json.WriteStartObject("credentials");
        json.WriteBoolean("optional", provider.CredentialsOptional);
        WriteStrings(json, "environment", provider.CredentialVariables);
        WriteStrings(json, "configKeys", provider.CredentialKeys);
        if (options.IncludeCredentialStatus)
        {
            json.WriteString("status", StatusName(provider.GetCredentialStatus(options.Environment)));
        }

        json.WriteEndObject();
        json.WriteStartObject("settings");
        WriteStrings(json, "environment", provider.SettingVariables);
        WriteStrings(json, "configKeys", provider.SettingKeys);
        json.WriteEndObject();
        WriteStrings(json, "specs", provider.Specs);
        json.WriteStartObject("capabilities");
        foreach (var entry in provider.Capabilities)
        {
            json.WriteStartObject(entry.Capability.Id);
            json.WriteString("support", SupportName(entry.Support));
            WriteStringOrNull(json, "note", entry.Note);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string Symbol(CapabilitySupport support) => support switch
    {
        CapabilitySupport.Native => "native",
        CapabilitySupport.Emulated => "emulated",
        _ => "—",
    };

    private static string CredentialsText(ProviderDescriptor provider)
    {
        var names = provider.CredentialVariables.Select(v => "`" + v + "`").ToList();
        if (names.Count == 0)
        {
            return "none";
        }

        var text = string.Join(" or ", names);
        return provider.CredentialsOptional ? "optional: " + text : text;
    }

    private static string StatusText(CredentialStatus status) => status switch
    {
        CredentialStatus.Configured => "configured",
        CredentialStatus.NotNeeded => "not needed",
        _ => "missing",
    };

    private static string StatusName(CredentialStatus status) => status switch
    {
        CredentialStatus.Configured => "configured",
        CredentialStatus.NotNeeded => "not-needed",
        _ => "missing",
    };

    // A '|' inside a cell would end it; line breaks would end the row.
    private static string Escape(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
