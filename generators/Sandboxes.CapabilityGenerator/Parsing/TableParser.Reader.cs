using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Sandboxes.Generators.Capabilities
{
    internal static partial class TableParser
    {
        /// <summary>Walks a parsed document, collecting values and every problem with its location.</summary>
        private sealed class Reader
        {
            private readonly string _path;
            private readonly JsonPositions _positions;
            private readonly List<DiagnosticInfo> _errors = new();

            public Reader(string path, JsonPositions positions)
            {
                _path = path;
                _positions = positions;
            }

            public TableModel Read(JsonElement root)
            {
                if (root.ValueKind != JsonValueKind.Object)
                {
                    Error(string.Empty, "the top level must be a JSON object");
                    return Result(null, ProviderInfo.Empty, new List<CapabilityRow>());
                }

                foreach (var property in root.EnumerateObject())
                {
                    if (!RootProperties.Contains(property.Name))
                    {
                        Error(property.Name, $"unknown property '{property.Name}' (expected one of {string.Join(", ", RootProperties)})");
                    }
                }

                var id = RequiredString(root, "id");
                if (id is not null && !ProviderIdPattern.IsMatch(id))
                {
                    Error("id", $"id '{id}' must be lower case letters, digits and dashes");
                }

                var folder = Path.GetFileName(Path.GetDirectoryName(_path) ?? string.Empty);
                if (id is not null && !string.IsNullOrEmpty(folder) && !string.Equals(folder, id, StringComparison.Ordinal))
                {
                    Error("id", $"id '{id}' must match the folder the table is in ('{folder}'), so a provider's files live under one name");
                }

                var displayName = RequiredString(root, "displayName");
                var description = OptionalString(root, "description");
                var detectionOrder = OptionalInteger(root, "detectionOrder");
                var (credentialsOptional, credentialVariables, credentialKeys) = ReadCredentials(root);
                var (settingVariables, settingKeys) = ReadSettings(root);
                var baseUrl = OptionalString(root, "defaultBaseUrl");
                if (baseUrl is not null && !Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
                {
                    Error("defaultBaseUrl", $"defaultBaseUrl '{baseUrl}' is not an absolute URL");
                }

                var specs = StringArray(root, "specs", "specs");
                var rows = ReadCapabilities(root);

                var info = new ProviderInfo(
                    id ?? string.Empty,
                    displayName ?? id ?? string.Empty,
                    description,
                    detectionOrder,
                    credentialsOptional,
                    credentialVariables,
                    credentialKeys,
                    settingVariables,
                    settingKeys,
                    baseUrl,
                    specs);
                return Result(id, info, rows);
            }

            private TableModel Result(string? id, ProviderInfo info, List<CapabilityRow> rows) =>
                new(_path, id, info, rows.ToEquatableArray(), _errors.ToEquatableArray());

            private (bool Optional, EquatableArray<string> Variables, EquatableArray<string> Keys) ReadCredentials(JsonElement root)
            {
                if (!TryGetObject(root, "credentials", out var credentials))
                {
                    return (false, EquatableArray<string>.Empty, EquatableArray<string>.Empty);
                }

                CheckProperties(credentials, "credentials", "optional", "environment", "configKeys");
                var optional = false;
                if (credentials.TryGetProperty("optional", out var flag))
                {
                    if (flag.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        optional = flag.GetBoolean();
                    }
                    else
                    {
                        Error("credentials/optional", "credentials.optional must be true or false");
                    }
                }

                return (optional,
                    StringArray(credentials, "environment", "credentials/environment"),
                    StringArray(credentials, "configKeys", "credentials/configKeys"));
            }

            private (EquatableArray<string> Variables, EquatableArray<string> Keys) ReadSettings(JsonElement root)
            {
                if (!TryGetObject(root, "settings", out var settings))
                {
                    return (EquatableArray<string>.Empty, EquatableArray<string>.Empty);
                }

                CheckProperties(settings, "settings", "environment", "configKeys");
                return (StringArray(settings, "environment", "settings/environment"),
                    StringArray(settings, "configKeys", "settings/configKeys"));
            }

            private List<CapabilityRow> ReadCapabilities(JsonElement root)
            {
                var rows = new List<CapabilityRow>();
                if (!root.TryGetProperty("capabilities", out var capabilities))
                {
                    Error(string.Empty, "property 'capabilities' is required");
                    return rows;
                }

                if (capabilities.ValueKind != JsonValueKind.Object)
                {
                    Error("capabilities", "capabilities must be an object keyed by capability id");
                    return rows;
                }

                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in capabilities.EnumerateObject())
                {
                    var at = "capabilities/" + entry.Name;
                    if (!seen.Add(entry.Name))
                    {
                        Error(at, $"capability '{entry.Name}' is listed twice");
                        continue;
                    }

                    if (!CapabilityIdPattern.IsMatch(entry.Name))
                    {
                        Error(at, $"capability id '{entry.Name}' must be lower case, with words separated by dots or dashes");
                        continue;
                    }

                    var row = ReadRow(entry.Name, entry.Value, at);
                    if (row is not null)
                    {
                        rows.Add(row);
                    }
                }

                return rows;
            }

            private CapabilityRow? ReadRow(string id, JsonElement value, string at)
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    Error(at, $"capability '{id}' must be an object like {{ \"support\": \"native\", \"note\": \"...\" }}");
                    return null;
                }

                CheckProperties(value, at, "support", "note");
                var note = OptionalString(value, "note", at + "/note");
                if (!value.TryGetProperty("support", out var supportValue) || supportValue.ValueKind != JsonValueKind.String)
                {
                    Error(at, $"capability '{id}' needs \"support\": \"native\", \"emulated\" or \"unsupported\"");
                    return null;
                }

                SupportLevel support;
                switch (supportValue.GetString())
                {
                    case "native":
                        support = SupportLevel.Native;
                        break;
                    case "emulated":
                        support = SupportLevel.Emulated;
                        break;
                    case "unsupported":
                        support = SupportLevel.Unsupported;
                        break;
                    default:
                        Error(at + "/support", $"capability '{id}' has support '{supportValue.GetString()}'; use \"native\", \"emulated\" or \"unsupported\"");
                        return null;
                }

                if (support != SupportLevel.Native && string.IsNullOrWhiteSpace(note))
                {
                    // The note is what a user reads in the error message and the matrix: how it is emulated, or why it is absent.
                    Error(at, $"capability '{id}' is {(support == SupportLevel.Emulated ? "emulated" : "unsupported")} and needs a \"note\" saying {(support == SupportLevel.Emulated ? "how it is emulated" : "why it is absent")}");
                }

                return new CapabilityRow(id, support, note, _positions.At(at));
            }

            private bool TryGetObject(JsonElement parent, string name, out JsonElement value)
            {
                if (!parent.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null)
                {
                    return false;
                }

                if (value.ValueKind != JsonValueKind.Object)
                {
                    Error(name, $"{name} must be an object");
                    return false;
                }

                return true;
            }

            private void CheckProperties(JsonElement element, string at, params string[] allowed)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (Array.IndexOf(allowed, property.Name) < 0)
                    {
                        var where = at.Length == 0 ? property.Name : at + "/" + property.Name;
                        Error(where, $"unknown property '{property.Name}' in {at.Replace('/', '.')} (expected one of {string.Join(", ", allowed)})");
                    }
                }
            }

            private string? RequiredString(JsonElement parent, string name)
            {
                var present = parent.TryGetProperty(name, out var raw);
                var value = OptionalString(parent, name);

                // A value of the wrong type was already reported by OptionalString.
                if (value is null && (!present || raw.ValueKind is JsonValueKind.Null or JsonValueKind.String))
                {
                    Error(present ? name : string.Empty, $"property '{name}' is required and must be a non-empty string");
                }

                return value;
            }

            private string? OptionalString(JsonElement parent, string name, string? at = null)
            {
                if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return null;
                }

                if (value.ValueKind != JsonValueKind.String)
                {
                    Error(at ?? name, $"{(at ?? name).Replace('/', '.')} must be a string");
                    return null;
                }

                var text = value.GetString()?.Trim();
                return string.IsNullOrEmpty(text) ? null : text;
            }

            private int? OptionalInteger(JsonElement parent, string name)
            {
                if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return null;
                }

                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 0)
                {
                    Error(name, $"{name} must be a whole number, zero or more (or null)");
                    return null;
                }

                return number;
            }

            private EquatableArray<string> StringArray(JsonElement parent, string name, string at)
            {
                if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return EquatableArray<string>.Empty;
                }

                var items = new List<string>();
                if (value.ValueKind != JsonValueKind.Array)
                {
                    Error(at, $"{at.Replace('/', '.')} must be an array of strings");
                    return EquatableArray<string>.Empty;
                }

                foreach (var item in value.EnumerateArray())
                {
                    var text = item.ValueKind == JsonValueKind.String ? item.GetString()?.Trim() : null;
                    if (string.IsNullOrEmpty(text))
                    {
                        Error(at, $"{at.Replace('/', '.')} must hold only non-empty strings");
                        continue;
                    }

                    items.Add(text!);
                }

                return items.ToEquatableArray();
            }

            private void Error(string at, string message) =>
                _errors.Add(DiagnosticInfo.Create(CapabilityDiagnostics.TableMalformed, _positions.At(at), DisplayPath(_path), message));
        }
    }
}
