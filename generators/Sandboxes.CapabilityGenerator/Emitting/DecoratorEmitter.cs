using System.Linq;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Writes the generated half of a forwarding decorator: an override of every contract member the class leaves to
    /// the generator, calling the class's own <c>ForwardAsync</c> (for <c>Task</c> and <c>Task&lt;T&gt;</c>) or
    /// <c>ForwardStream</c> (for <c>IAsyncEnumerable&lt;T&gt;</c>) with the operation's declared name, idempotency and
    /// timing, and a call of the same member on <c>Inner</c>.
    /// </summary>
    /// <remarks>
    /// A forward hands <c>ForwardAsync</c> a function of the pipeline's token, so each attempt gets its own; a live
    /// operation's function ignores it and passes the caller's token instead, since what it returns outlives the attempt.
    /// A stream is requested at once (the call itself, not the first <c>MoveNextAsync</c>, fails for a missing capability).
    /// </remarks>
    internal static class DecoratorEmitter
    {
        private const string GeneratedCodeAttribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Sandboxes.CapabilityGenerator\", \"1.0.0\")]";

        public static string Emit(DecoratorModel model)
        {
            var writer = new SourceWriter().WriteHeader();
            if (model.Namespace is not null)
            {
                writer.OpenBlock("namespace " + model.Namespace);
            }

            writer.WriteLine("/// <summary>Generated: every contract operation forwarded to the inner adapter as its [ProviderCapability] declares.</summary>");
            writer.OpenBlock("partial class " + model.ClassName);
            var first = true;
            foreach (var forward in model.Forwards)
            {
                if (!first)
                {
                    writer.WriteLine();
                }

                first = false;
                WriteForward(writer, forward);
            }

            writer.CloseBlock();
            if (model.Namespace is not null)
            {
                writer.CloseBlock();
            }

            return writer.ToString();
        }

        private static void WriteForward(SourceWriter writer, ForwardPlan forward)
        {
            var parameters = string.Join(", ", forward.Parameters.Select(p => p.Modifier + p.Type + " " + p.Name));
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine(forward.Accessibility + " override " + forward.ReturnType + " " + forward.Name + "(" + parameters + ")");
            writer.Indent();
            var operation = AdapterEmitter.Literal(forward.Operation);
            var idempotent = forward.Idempotent ? "true" : "false";
            if (forward.Shape == ForwardShape.AsyncEnumerable)
            {
                writer.WriteLine("=> ForwardStream(" + operation + ", " + idempotent + ", Inner." + forward.Name + "(" + Arguments(forward, forward.TokenParameter) + "), "
                                 + forward.TokenParameter + ");");
            }
            else
            {
                // The lambda's parameter must not shadow one of the member's.
                var token = "ct";
                while (forward.Parameters.Any(p => p.Name == token))
                {
                    token = "_" + token;
                }

                var lambda = forward.Live
                    ? "_ => Inner." + forward.Name + "(" + Arguments(forward, forward.TokenParameter) + ")"
                    : token + " => Inner." + forward.Name + "(" + Arguments(forward, token) + ")";
                writer.WriteLine("=> ForwardAsync(" + operation + ", " + idempotent + ", " + forward.Timing + ", " + lambda + ", " + forward.TokenParameter + ");");
            }

            writer.Unindent();
        }

        private static string Arguments(ForwardPlan forward, string token) =>
            string.Join(", ", forward.Parameters.Select(p => p.Name == forward.TokenParameter ? token : p.Name));
    }
}
