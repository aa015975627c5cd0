using FsCheck;
using FsCheck.Fluent;
using FsCheck.NUnit;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// The lexical normalisation every adapter applies to a sandbox path before anything else: whatever the input, the
/// result is absolute, has no <c>.</c>, <c>..</c> or empty part, normalising it again changes nothing, and a path that
/// would climb above the root is refused with <see cref="InvalidSandboxPathException"/>. Pure and fast: the same
/// number of cases in both profiles.
/// </summary>
public sealed class PathNormalisationProperties
{
    // FsCheck.NUnit supplies the argument; NUnit's analyzer does not know its attribute.
#pragma warning disable NUnit1027
    [Property(Arbitrary = [typeof(HostilePaths)], MaxTest = 2000, QuietOnSuccess = true)]
    public void A_normalised_path_is_absolute_clean_and_stable_or_refused(string path)
#pragma warning restore NUnit1027
    {
        string normalised;
        try
        {
            normalised = UnixPath.Normalize("test", path, "/workspace");
        }
        catch (InvalidSandboxPathException)
        {
            return;
        }

        PropertyViolation.Unless(normalised.StartsWith('/'), $"{FileCall.Printable(normalised)} is not absolute");
        PropertyViolation.Unless(normalised == "/" || normalised[1..].Split('/').All(p => p is not ("" or "." or "..")),
            $"{FileCall.Printable(normalised)} keeps a '.', '..' or empty part");
        PropertyViolation.Unless(UnixPath.Normalize("test", normalised, "/workspace") == normalised, $"{FileCall.Printable(normalised)} is not stable");
    }

    /// <summary>The generator of the property above (FsCheck takes an arbitrary of each type from this class's methods).</summary>
    public static class HostilePaths
    {
        /// <summary>Hostile paths built from plausible sandbox names.</summary>
        public static Arbitrary<string> Paths() =>
            HostileInput.Path(["workspace", "link", "a", "b"], ["/etc/passwd", "/root/.ssh/id_rsa"]).ToArbitrary();
    }
}
