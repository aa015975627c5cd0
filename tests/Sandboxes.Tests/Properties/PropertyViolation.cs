namespace Sandboxes.Tests.Properties;

/// <summary>
/// A generated case broke a property. Thrown rather than an NUnit assertion, so that FsCheck reports the case (and its
/// seed) as the counterexample, and NUnit does not also record every case FsCheck tries while it looks for a smaller one.
/// </summary>
public sealed class PropertyViolation : Exception
{
    /// <summary>Creates the violation.</summary>
    public PropertyViolation(string message)
        : base(message)
    {
    }

    /// <summary>Creates the violation.</summary>
    public PropertyViolation()
    {
    }

    /// <summary>Creates the violation.</summary>
    public PropertyViolation(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws a violation saying <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void Unless(bool condition, string message)
    {
        if (!condition)
        {
            throw new PropertyViolation(message);
        }
    }
}
