namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>Writes forwarding decorators for generator tests.</summary>
internal static class DecoratorSource
{
    /// <summary>
    /// The marker, declared in the test's own assembly: the library's is internal, and the generator finds the attribute by
    /// its metadata name, wherever it is declared.
    /// </summary>
    public const string Marker = """
        namespace Sandboxes.Providers
        {
            [global::System.AttributeUsage(global::System.AttributeTargets.Class)]
            internal sealed class ForwardingDecoratorAttribute : global::System.Attribute { }
        }

        """;

    /// <summary>What the generated forwards call (passing each call through), over an inner adapter of the contract's type BASE.</summary>
    public const string Plumbing = """
            public DemoDecorator(BASE inner) : base(inner.Config) => Inner = inner;

            public BASE Inner { get; }

            public override global::Sandboxes.ProviderDescriptor Descriptor => Inner.Descriptor;

            private global::System.Threading.Tasks.Task<T> ForwardAsync<T>(string operation, bool idempotent, global::Sandboxes.Providers.OperationTiming timing,
                global::System.Func<global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task<T>> call, global::System.Threading.CancellationToken cancellationToken) =>
                call(cancellationToken);

            private global::System.Threading.Tasks.Task ForwardAsync(string operation, bool idempotent, global::Sandboxes.Providers.OperationTiming timing,
                global::System.Func<global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task> call, global::System.Threading.CancellationToken cancellationToken) =>
                call(cancellationToken);

            private global::System.Collections.Generic.IAsyncEnumerable<T> ForwardStream<T>(string operation, bool idempotent,
                global::System.Collections.Generic.IAsyncEnumerable<T> source, global::System.Threading.CancellationToken cancellationToken) => source;

        """;

    /// <summary>A decorator of <paramref name="baseType"/> named DemoDecorator in namespace Demo, with extra members.</summary>
    public static string Create(string extraMembers = "", string declaration = "internal sealed partial class",
        string baseType = "global::Sandboxes.Providers.SandboxProvider", string marker = Marker) =>
        marker + "namespace Demo\n{\n[global::Sandboxes.Providers.ForwardingDecorator]\n" + declaration + " DemoDecorator : " + baseType + "\n{\n"
        + Plumbing.Replace("BASE", baseType, StringComparison.Ordinal) + extraMembers + "}\n}\n";
}
