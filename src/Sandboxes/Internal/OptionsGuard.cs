namespace Sandboxes;

/// <summary>
/// Shared checks for the options classes: they validate each value as it is set (so a mistake is reported where it is
/// made) and refuse changes once a client has read them (so what a running client does never drifts from what it was
/// built with).
/// </summary>
internal static class OptionsGuard
{
    public static void ThrowIfFrozen(bool frozen, string type)
    {
        if (frozen)
        {
            throw new InvalidOperationException($"This {type} is in use by a client and can no longer be changed; create a new one.");
        }
    }

    public static TimeSpan Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive (or Timeout.InfiniteTimeSpan).");
        }

        return value;
    }

    public static TimeSpan NonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }

        return value;
    }

    public static int InRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }

        return value;
    }
}
