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

            // Closes the array at the arguments' indentation, then the initializer (if any) at the member's.
            writer.Unindent();
            var inits = new List<string>();
            AddInit(inits, "Description", provider.Description is null ? null : Literal(provider.Description));
            AddInit(inits, "DetectionOrder", provider.DetectionOrder?.ToString(CultureInfo.InvariantCulture));
            AddInit(inits, "CredentialsOptional", provider.CredentialsOptional ? "true" : null);
            AddInit(inits, "CredentialVariables", Strings(provider.CredentialVariables));
            AddInit(inits, "CredentialKeys", Strings(provider.CredentialKeys));
            AddInit(inits, "SettingVariables", Strings(provider.SettingVariables));
            AddInit(inits, "SettingKeys", Strings(provider.SettingKeys));
            AddInit(inits, "DefaultBaseUrl", provider.DefaultBaseUrl is null ? null : "new global::System.Uri(" + Literal(provider.DefaultBaseUrl) + ")");
            AddInit(inits, "Specs", Strings(provider.Specs));
            writer.WriteLine(inits.Count == 0 ? "});" : "})");
            writer.Unindent();
            if (inits.Count > 0)
            {
                writer.WriteLine("{");
                writer.Indent();
                foreach (var init in inits)
                {
                    writer.WriteLine(init + ",");
                }

                writer.Unindent();
                writer.WriteLine("};");
            }

            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override global::Sandboxes.ProviderDescriptor Descriptor => TableDescriptor;");
        }

        /// <summary>Adds an object-initializer assignment, leaving out values that keep the descriptor's default.</summary>
        private static void AddInit(List<string> inits, string name, string? value)
        {
            if (value is not null)
            {
                inits.Add(name + " = " + value);
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
