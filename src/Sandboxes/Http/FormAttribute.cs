namespace Sandboxes.Http;

/// <summary>Sends a parameter as a field of an <c>application/x-www-form-urlencoded</c> body.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class FormAttribute : Attribute
{
}
