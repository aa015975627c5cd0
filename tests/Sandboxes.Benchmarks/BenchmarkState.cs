namespace Sandboxes.Benchmarks;

/// <summary>A private state directory for the benchmarks' local sandboxes, removed at the end.</summary>
internal static class BenchmarkState
{
    public static string Dir { get; } = Path.Combine(Path.GetTempPath(), "sandboxes-bench", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static ProviderConfig Config => new() { Extra = new Dictionary<string, object?> { ["state_dir"] = Dir } };

    public static void Cleanup()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
