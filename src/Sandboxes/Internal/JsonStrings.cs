using System.Text.Json;

namespace Sandboxes;

/// <summary>
/// Reads string members of JSON received from outside. <see cref="JsonDocument"/> checks a string's UTF-8 only when it
/// is read, so <see cref="JsonElement.GetString"/> throws <see cref="InvalidOperationException"/> on a string holding
/// invalid UTF-8 (and on a member that is no string); here both are "no string".
/// </summary>
internal static class JsonStrings
{
    /// <summary>The member <paramref name="name"/> of <paramref name="element"/> when it is an object with a valid string there, else null.</summary>
    public static string? Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? Of(value) : null;

    /// <summary><paramref name="element"/>'s text when it is a valid string, else null.</summary>
    public static string? Of(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // invalid UTF-8 inside the string
        }
    }
}
