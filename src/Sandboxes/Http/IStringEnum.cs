namespace Sandboxes.Http;

/// <summary>
/// An extensible enum: a struct wrapping the string a vendor sends, with well-known values as static members. An unknown
/// value survives a round trip unchanged. Generated enums implement it; <see cref="StringEnumJsonConverter{T}"/> serializes them.
/// </summary>
/// <typeparam name="TSelf">The enum type itself.</typeparam>
public interface IStringEnum<TSelf>
    where TSelf : struct, IStringEnum<TSelf>
{
    /// <summary>The value as sent on the wire.</summary>
    string Value { get; }

    /// <summary>Wraps a wire value (known or not).</summary>
    static abstract TSelf FromValue(string value);
}
