using System.Globalization;

namespace Sandboxes;

/// <summary>
/// Gathers a paginated listing (sandboxes, snapshots) from a vendor API, the one way every adapter follows pages. A server
/// decides how many pages there are, so a misbehaving one could keep a listing going for ever: a mock that repeats its
/// example cursor on every page, a proxy that drops the cursor from the request, a bug that cycles through the same pages.
/// Three bounds stop it:
/// <list type="bullet">
/// <item>A cursor that was already sent in this listing ends it: the server offers a page it has served, so everything it
/// has to offer has been seen. The items gathered so far are returned (with a warning, once per process), since they are
/// what the server holds; asking again would only repeat them.</item>
/// <item>At most <c>maxPages</c> pages are read. A server still offering new cursors then is not ending its listing, and
/// the result would be silently incomplete, so this is a <see cref="ProviderException"/> naming the bound.</item>
/// <item>The whole listing, every page together, must end within <c>budget</c>, whatever the per-request timeout allows
/// each page; past it, a <see cref="SandboxTimeoutException"/> (never a bare <see cref="OperationCanceledException"/>,
/// which would read as the caller's own cancellation).</item>
/// </list>
/// Items are deduplicated by key (a repeated or shifting page may serve one twice), and a caller's limit is honoured:
/// the listing stops as soon as it has that many, and never returns more.
/// </summary>
internal static class Pagination
{
    /// <summary>The most pages a listing reads: 1,000 pages of 100 are 100,000 items, far beyond any real account.</summary>
    public const int DefaultMaxPages = 1_000;

    /// <summary>How long a whole listing may take: a thousand pages at a few hundred milliseconds each fit in it.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Reads pages until the server gives no next cursor, the caller's limit is reached, or a bound ends the listing (see
    /// <see cref="Pagination"/>).
    /// </summary>
    /// <typeparam name="T">The items listed.</typeparam>
    /// <param name="provider">The provider, named in errors and warnings.</param>
    /// <param name="listing">What is listed, in plural (for example <c>sandboxes</c>), for messages.</param>
    /// <param name="fetchPage">
    /// Reads one page: given the cursor to send (null for the first page), how many more items would reach the caller's
    /// limit (null without a limit, so that the adapter can ask for a smaller page), and the token that carries the whole
    /// listing's budget; returns the page's items, already filtered as the caller wants them, and the next cursor (null or
    /// empty when there is none). A page-numbered API passes the next page number as the cursor.
    /// </param>
    /// <param name="key">The identity of an item: an item whose key was already gathered is dropped.</param>
    /// <param name="limit">At most this many items (null for all).</param>
    /// <param name="cancellationToken">The caller's cancellation; it is reported as an <see cref="OperationCanceledException"/>.</param>
    /// <param name="maxPages">The most pages to read (<see cref="DefaultMaxPages"/> when not given).</param>
    /// <param name="budget">How long the whole listing may take (<see cref="DefaultBudget"/> when null).</param>
    /// <returns>The items, in the server's order, without duplicates, at most <paramref name="limit"/>.</returns>
    /// <exception cref="ProviderException">The server still offered new pages after <paramref name="maxPages"/>.</exception>
    /// <exception cref="SandboxTimeoutException">The listing did not end within <paramref name="budget"/>.</exception>
    public static async Task<IReadOnlyList<T>> CollectAsync<T>(string provider, string listing,
        Func<string?, int?, CancellationToken, Task<(IEnumerable<T> Items, string? Next)>> fetchPage, Func<T, string> key, int? limit,
        CancellationToken cancellationToken, int maxPages = DefaultMaxPages, TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(fetchPage);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        if (limit is <= 0)
        {
            return [];
        }

        var allowed = budget ?? DefaultBudget;
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(allowed);

        var found = new List<T>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var sent = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        try
        {
            for (var pages = 0; ; pages++)
            {
                if (pages == maxPages)
                {
                    throw new ProviderException(provider,
                        $"The {provider} listing of {listing} did not end: the server still offered another page after {maxPages.ToString(CultureInfo.InvariantCulture)} " +
                        $"pages ({found.Count.ToString(CultureInfo.InvariantCulture)} {listing} gathered). Narrow the listing with labels or a limit.");
                }

                var (items, next) = await fetchPage(cursor, limit - found.Count, overall.Token).ConfigureAwait(false);
                foreach (var item in items)
                {
                    if (keys.Add(key(item)))
                    {
                        found.Add(item);
                        if (found.Count == limit)
                        {
                            return found;
                        }
                    }
                }

                if (string.IsNullOrEmpty(next))
                {
                    return found;
                }

                // The cursor just used counts as sent too (the first page's is null and cannot repeat).
                if (cursor is not null)
                {
                    sent.Add(cursor);
                }

                if (sent.Contains(next))
                {
                    SandboxWarnings.Once($"pagination:{provider}:{listing}",
                        $"The {provider} server offered again a page of {listing} it had already served; the listing stopped there, " +
                        "with what it had gathered. A server should not do this: its listing may be incomplete.");
                    return found;
                }

                cursor = next;
            }
        }
        catch (OperationCanceledException e) when (overall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Our budget ran out, not the caller's patience: a typed timeout, which no retry policy mistakes for a cancellation.
            throw new SandboxTimeoutException(provider,
                $"Listing {provider} {listing} did not end within {allowed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s " +
                $"({found.Count.ToString(CultureInfo.InvariantCulture)} gathered): the server is too slow or its pagination does not end.", allowed, innerException: e);
        }
    }
}
