namespace Sandboxes.Http;

/// <summary>
/// Sends the method's body parameters as a <c>multipart/form-data</c> request: each parameter is a part named by its
/// <see cref="AliasAsAttribute"/>; <see cref="ApiFile"/> and <see cref="Stream"/> parameters are file parts.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class MultipartAttribute : Attribute
{
}
