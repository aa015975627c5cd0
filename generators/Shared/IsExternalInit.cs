// Records and init-only setters need this type, which netstandard2.0 (the target Roslyn loads generators from) lacks.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit
    {
    }
}
