using System.Threading.Channels;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Reads the channels the kernel connection fills: the connection completes them with the reason it stopped (a typed
/// error when it has one), which a reader rethrows as such rather than as a bare <see cref="ChannelClosedException"/>.
/// </summary>
internal static class KernelChannel
{
    /// <summary>The next item, or the typed error the channel was completed with (<paramref name="whenClosed"/> when it has none).</summary>
    public static async ValueTask<T> ReadAsync<T>(ChannelReader<T> reader, string whenClosed, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException closed)
        {
            throw closed.InnerException as SandboxException
                  ?? new ProviderException(JupyterProvider.ProviderId, whenClosed, innerException: closed);
        }
    }
}
