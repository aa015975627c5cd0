using System.Security.Cryptography;

namespace Sandboxes.CodeExecution;

/// <summary>Random identifiers for drivers' control lines, requests and contexts.</summary>
internal static class Nonce
{
    /// <summary>16 random hex digits: code cannot guess it, so it cannot forge a control line.</summary>
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
}
