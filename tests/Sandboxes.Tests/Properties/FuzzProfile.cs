using FsCheck;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// How many generated cases each property runs. The CI profile keeps the whole hostile-input suite to a few minutes on a
/// two-core machine; <c>SANDBOXES_LONG_FUZZ=1</c> selects the long profile, which runs many more cases of the same
/// properties. A failure names the smallest
/// counterexample FsCheck found and the seed that replays it.
/// </summary>
public static class FuzzProfile
{
    /// <summary>True when the long profile was asked for.</summary>
    public static bool IsLong => Environment.GetEnvironmentVariable("SANDBOXES_LONG_FUZZ") is "1" or "true";

    /// <summary>The profile's name, for the tests' output.</summary>
    public static string Name => IsLong ? "long" : "ci";

    /// <summary>The number of cases for a property: <paramref name="ci"/> by default, <paramref name="long"/> in the long profile.</summary>
    public static int Cases(int ci, int @long) => IsLong ? @long : ci;

    /// <summary>
    /// The FsCheck configuration of a property with that many cases: fails the test with the smallest counterexample
    /// found and the seed to replay it.
    /// </summary>
    public static Config Config(int ci, int @long) =>
        FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Cases(ci, @long)).WithQuietOnSuccess(true);
}
