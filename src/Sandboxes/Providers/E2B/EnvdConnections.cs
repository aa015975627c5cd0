using System.Collections.Concurrent;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// The envd connections an adapter knows, by sandbox id. A connection dropped from here (its sandbox killed, gone or
/// paused, a newer one replacing it, the adapter disposed) is disposed, which releases its access token from the
/// <see cref="SecretScrubber"/>: the tokens registered stay those of the sandboxes this adapter still serves.
/// </summary>
internal sealed class EnvdConnections
{
    private readonly ConcurrentDictionary<string, EnvdConnection> _connections = new(StringComparer.Ordinal);

    public bool TryGetValue(string sandboxId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out EnvdConnection connection) =>
        _connections.TryGetValue(sandboxId, out connection);

    /// <summary>The connection known for the sandbox, else <paramref name="connection"/>; the one not kept is disposed.</summary>
    public EnvdConnection GetOrAdd(EnvdConnection connection)
    {
        var kept = _connections.GetOrAdd(connection.SandboxId, connection);
        if (!ReferenceEquals(kept, connection))
        {
            connection.Dispose();
        }

        return kept;
    }

    /// <summary>Keeps <paramref name="connection"/> for its sandbox, disposing the one it replaces.</summary>
    public void Set(EnvdConnection connection)
    {
        EnvdConnection? replaced = null;
        _connections.AddOrUpdate(connection.SandboxId, connection, (_, old) =>
        {
            replaced = old;
            return connection;
        });
        if (replaced is not null && !ReferenceEquals(replaced, connection))
        {
            replaced.Dispose();
        }
    }

    /// <summary>Drops and disposes the sandbox's connection, if any.</summary>
    public void Forget(string sandboxId)
    {
        if (_connections.TryRemove(sandboxId, out var dropped))
        {
            dropped.Dispose();
        }
    }

    /// <summary>Drops and disposes every connection.</summary>
    public void Clear()
    {
        foreach (var sandboxId in _connections.Keys)
        {
            Forget(sandboxId);
        }
    }
}
