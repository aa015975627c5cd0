namespace Sandboxes;

/// <summary>
/// The provider cannot do what was asked: a capability its table declares unsupported, or a request field it cannot honour.
/// Raised instead of silently ignoring the request.
/// </summary>
public class FeatureNotSupportedException : SandboxException
{
    /// <summary>Creates the error for <paramref name="capability"/> on <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider that lacks the capability.</param>
    /// <param name="capability">The capability that is missing.</param>
    /// <param name="detail">What was asked (for example the request field), and which providers do support it.</param>
    public FeatureNotSupportedException(string provider, Capability capability, string? detail = null)
        : base(provider, BuildMessage(provider, capability, detail))
    {
        Capability = capability;
    }

    /// <summary>The capability that is not supported.</summary>
    public Capability Capability { get; }

    private static string BuildMessage(string provider, Capability capability, string? detail)
    {
        var text = $"The '{provider}' provider does not support {capability.Id}";
        return string.IsNullOrEmpty(detail) ? text + "." : $"{text}: {detail}";
    }
}
