namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Writes, into the type that holds the capability ids, one static value per id constant (named as the constant,
    /// documented as it is) and <c>WellKnown</c>, every one of them in declaration order: declaring the constant is all a
    /// new capability needs there.
    /// </summary>
    internal static class CapabilityValuesEmitter
    {
        public static string Emit(CapabilityValuesModel model)
        {
            var writer = new SourceWriter().WriteHeader();
            if (model.Namespace is not null)
            {
                writer.OpenBlock("namespace " + model.Namespace);
            }

            var type = (model.Namespace is null ? "global::" : "global::" + model.Namespace + ".") + model.ContainingName;
            writer.OpenBlock(model.ContainingKeyword + " " + model.ContainingName);

            // One file, values first: static initializers run in textual order within a file, so WellKnown sees them set.
            foreach (var constant in model.Constants)
            {
                writer.WriteLine("/// <inheritdoc cref=\"" + model.IdsName + "." + constant + "\"/>");
                writer.WriteLine("public static " + type + " " + constant + " { get; } = new(" + model.IdsName + "." + constant + ");");
                writer.WriteLine();
            }

            writer.WriteLine("/// <summary>Every well-known capability, in a stable order (that of <see cref=\"" + model.IdsName + "\"/>).</summary>");
            writer.WriteLine("public static global::System.Collections.Generic.IReadOnlyList<" + type + "> WellKnown { get; } = new " + type + "[]");
            writer.WriteLine("{");
            writer.Indent();
            foreach (var constant in model.Constants)
            {
                writer.WriteLine(constant + ",");
            }

            writer.Unindent();
            writer.WriteLine("};");
            writer.CloseBlock();
            if (model.Namespace is not null)
            {
                writer.CloseBlock();
            }

            return writer.ToString();
        }
    }
}
