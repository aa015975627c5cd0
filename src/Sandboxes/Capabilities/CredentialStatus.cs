namespace Sandboxes;

/// <summary>Whether a provider's credentials are available in the environment (see <see cref="ProviderDescriptor.GetCredentialStatus"/>).</summary>
public enum CredentialStatus
{
    /// <summary>The provider needs no credentials, or they are optional and none are set.</summary>
    NotNeeded = 0,

    /// <summary>One of the provider's credential variables is set.</summary>
    Configured = 1,

    /// <summary>The provider needs credentials and none of its variables is set (they may still come from <see cref="ProviderConfig"/>).</summary>
    Missing = 2,
}
