using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Writes the generated half of a provider adapter: the descriptor built from its table, the <c>Descriptor</c>
    /// override, a module initializer registering the provider, and a throwing override for every member of a capability
    /// the table declares unsupported.
    /// </summary>
    internal static partial class AdapterEmitter
    {
        /// <summary>Marks generated stubs, so tests (and readers of a stack trace) can tell a stub from an implementation.</summary>
        private const string GeneratedCodeAttribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Sandboxes.CapabilityGenerator\", \"1.0.0\")]";

        public static string Emit(AdapterPlan plan)
        {
            var writer = new SourceWriter().WriteHeader();

            // Module initializers are meant for generators like this one (CA2255 would otherwise flag a library).
            writer.WriteLine("#pragma warning disable CA2255");
            writer.WriteLine();
            if (plan.Namespace is not null)
            {
                writer.OpenBlock("namespace " + plan.Namespace);
            }

            writer.WriteLine("/// <summary>Generated from the capability table of the '" + plan.Provider.Id + "' provider.</summary>");
            writer.OpenBlock("partial class " + plan.ClassName);
            var first = true;
            if (plan.EmitDescriptor)
            {
                WriteDescriptor(writer, plan);
                first = false;
            }

            if (plan.EmitRegistration)
            {
                Separate(writer, ref first);
                WriteRegistration(writer, plan);
            }

            foreach (var stub in plan.Stubs)
            {
                Separate(writer, ref first);
                WriteStub(writer, plan, stub);
            }

            writer.CloseBlock();
            if (plan.Namespace is not null)
            {
                writer.CloseBlock();
            }

            return writer.ToString();
        }

        private static void WriteRegistration(SourceWriter writer, AdapterPlan plan)
        {
            writer.WriteLine("/// <summary>Registers the '" + plan.Provider.Id + "' provider when the assembly loads, so no list of providers is kept by hand.</summary>");
            writer.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
            writer.OpenBlock("internal static void RegisterProvider()");
            writer.WriteLine("global::Sandboxes.SandboxProviders.Register(TableDescriptor, static config => new " + plan.FullyQualifiedName + "(config));");
            writer.CloseBlock();
        }

        private static void WriteStub(SourceWriter writer, AdapterPlan plan, StubPlan stub)
        {
            var note = plan.Rows.FirstOrDefault(r => r.Id == stub.CapabilityId)?.Note;
            writer.WriteLine("/// <summary>Not supported by '" + plan.Provider.Id + "' (capability <c>" + Xml(stub.CapabilityId) + "</c>"
                             + (note is null ? string.Empty : ": " + Xml(note.TrimEnd('.'))) + "); throws <see cref=\"global::Sandboxes.FeatureNotSupportedException\"/> when called.</summary>");
            writer.WriteLine(GeneratedCodeAttribute);
            var parameters = string.Join(", ", stub.Parameters.Select(p => p.Modifier + p.Type + " " + p.Name));
            writer.WriteLine(stub.Accessibility + " override " + stub.ReturnType + " " + stub.Name + "(" + parameters + ")");

            // A plain method that throws, not an async method or iterator: the exception surfaces at the call itself,
            // before any task or enumerator exists (an async iterator would only throw on the first MoveNextAsync).
            writer.Indent();
            writer.WriteLine("=> throw NotSupported(new global::Sandboxes.Capability(" + Literal(stub.CapabilityId) + "), " + Literal(stub.Name) + ");");
            writer.Unindent();
        }

        private static void Separate(SourceWriter writer, ref bool first)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            first = false;
        }

        internal static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

        private static string Xml(string value) =>
            value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ");
    }
}
