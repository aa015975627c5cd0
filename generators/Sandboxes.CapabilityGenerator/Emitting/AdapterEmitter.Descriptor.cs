using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Sandboxes.Generators.Capabilities
{
    internal static partial class AdapterEmitter
    {
        private static void WriteDescriptor(SourceWriter writer, AdapterPlan plan)
        {
            var provider = plan.Provider;
            writer.WriteLine("/// <summary>The '" + provider.Id + "' provider as its capability table describes it.</summary>");
            writer.WriteLine("internal static global::Sandboxes.ProviderDescriptor TableDescriptor { get; } = new global::Sandboxes.ProviderDescriptor(");
            writer.Indent();
            writer.WriteLine(Literal(provider.Id) + ",");
            writer.WriteLine(Literal(provider.DisplayName) + ",");
            writer.WriteLine("new global::Sandboxes.CapabilityEntry[]");
            writer.WriteLine("{");
            writer.Indent();
            foreach (var row in plan.Rows)
            {
                writer.WriteLine("new global::Sandboxes.CapabilityEntry(new global::Sandboxes.Capability(" + Literal(row.Id) + "), "
                                 + SupportName(row.Support) + ", " + (row.Note is null ? "null" : Literal(row.Note)) + "),");
            }

            writer.Unindent();
            writer.WriteLine("})");
            writer.Unindent();
            writer.WriteLine("{");
            writer.Indent();
            WriteInit(writer, "Description", provider.Description is null ? null : Literal(provider.Description));
            WriteInit(writer, "DetectionOrder", provider.DetectionOrder?.ToString(CultureInfo.InvariantCulture));
            WriteInit(writer, "CredentialsOptional", provider.CredentialsOptional ? "true" : null);
            WriteInit(writer, "CredentialVariables", Strings(provider.CredentialVariables));
            WriteInit(writer, "CredentialKeys", Strings(provider.CredentialKeys));
            WriteInit(writer, "SettingVariables", Strings(provider.SettingVariables));
            WriteInit(writer, "SettingKeys", Strings(provider.SettingKeys));
            WriteInit(writer, "DefaultBaseUrl", provider.DefaultBaseUrl is null ? null : "new global::System.Uri(" + Literal(provider.DefaultBaseUrl) + ")");
            WriteInit(writer, "Specs", Strings(provider.Specs));
            writer.Unindent();
            writer.WriteLine("};");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override global::Sandboxes.ProviderDescriptor Descriptor => TableDescriptor;");
        }

        /// <summary>Writes an object-initializer line, leaving out values that keep the descriptor's default.</summary>
        private static void WriteInit(SourceWriter writer, string name, string? value)
        {
            if (value is not null)
            {
                writer.WriteLine(name + " = " + value + ",");
            }
        }

        private static string? Strings(IReadOnlyList<string> values) =>
            values.Count == 0 ? null : "new string[] { " + string.Join(", ", values.Select(Literal)) + " }";

        private static string SupportName(SupportLevel support) => support switch
        {
            SupportLevel.Native => "global::Sandboxes.CapabilitySupport.Native",
            SupportLevel.Emulated => "global::Sandboxes.CapabilitySupport.Emulated",
            _ => "global::Sandboxes.CapabilitySupport.NotSupported",
        };
    }
}
