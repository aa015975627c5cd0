namespace Sandboxes.Tests.Properties;

/// <summary>How one call given hostile input ended: a value, or the error it raised.</summary>
/// <typeparam name="T">The call's result.</typeparam>
/// <param name="Value">The result when the call succeeded.</param>
/// <param name="Error">The error when it failed.</param>
public sealed record Outcome<T>(T? Value, Exception? Error)
{
    /// <summary>True when the call returned.</summary>
    public bool Succeeded => Error is null;

    /// <summary>
    /// True when the call returned or refused with one of the library's typed errors; an <see cref="ArgumentException"/>,
    /// <see cref="IOException"/>, <see cref="System.Text.Json.JsonException"/>, <see cref="NullReferenceException"/>
    /// or any other type is a leak of an implementation detail.
    /// </summary>
    public bool IsResultOrTypedError => Error is null or SandboxException;

    /// <inheritdoc />
    public override string ToString() => Error is null ? $"returned {Value}" : $"threw {Error.GetType().FullName}: {Error.Message}";
}
