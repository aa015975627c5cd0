using System.Reflection;
using System.Text;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>Writes capability tables for tests: every known capability listed, each unsupported unless said otherwise.</summary>
internal static class TableJson
{
    /// <summary>The ids of <see cref="Capability.Ids"/>, read by reflection as the generator reads them from the compilation.</summary>
    public static IReadOnlyList<string> KnownIds { get; } = typeof(Capability.Ids)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    /// <summary>
    /// A table for <paramref name="id"/>: capabilities in <paramref name="native"/> are native, all others unsupported
    /// (with a note). <paramref name="extraCapabilities"/> is spliced into the capabilities object verbatim.
    /// </summary>
    public static string Create(string id, IEnumerable<string> native, string extraRoot = "", string extraCapabilities = "", IEnumerable<string>? omit = null)
    {
        var nativeSet = native.ToHashSet(StringComparer.Ordinal);
        var omitted = (omit ?? []).ToHashSet(StringComparer.Ordinal);
        var json = new StringBuilder();
        json.Append("{\n");
        json.Append($"  \"id\": \"{id}\",\n");
        json.Append($"  \"displayName\": \"Test {id}\",\n");
        json.Append(extraRoot);
        json.Append("  \"capabilities\": {\n");
        var rows = KnownIds.Where(c => !omitted.Contains(c))
            .Select(c => nativeSet.Contains(c)
                ? $"    \"{c}\": {{ \"support\": \"native\" }}"
                : $"    \"{c}\": {{ \"support\": \"unsupported\", \"note\": \"Not in the {id} test provider.\" }}")
            .ToList();
        if (extraCapabilities.Length > 0)
        {
            rows.Add(extraCapabilities);
        }

        json.Append(string.Join(",\n", rows)).Append('\n');
        json.Append("  }\n}\n");
        return json.ToString();
    }

    /// <summary>The ids marked <c>[HonouredWithoutOperation]</c>, read by reflection.</summary>
    public static IReadOnlyList<string> Honoured { get; } = typeof(Capability.Ids)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.GetCustomAttribute<Sandboxes.Providers.HonouredWithoutOperationAttribute>() is not null)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    /// <summary>
    /// The known ids something can do: those a contract member carries, and those marked <c>[HonouredWithoutOperation]</c>.
    /// Any other (an id with nothing behind it yet) cannot be declared native (SBX123).
    /// </summary>
    public static IReadOnlyList<string> Doable { get; } = KnownIds
        .Where(id => AdapterSource.CapabilitiesWithMembers.Contains(id) || Honoured.Contains(id))
        .ToList();

    /// <summary>A table where every capability something can do is native (the others unsupported).</summary>
    public static string AllNative(string id, string extraRoot = "") => Create(id, Doable, extraRoot);
}
