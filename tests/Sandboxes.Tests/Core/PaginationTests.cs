using System.Diagnostics;
using NUnit.Framework;

namespace Sandboxes.Tests.Core;

/// <summary>
/// The one way adapters follow a vendor's pages: a listing ends when the server stops giving cursors, when it repeats
/// one, when the caller's limit is reached, after a bounded number of pages, or when its overall budget runs out; it
/// never runs for ever, whatever the server answers.
/// </summary>
public sealed class PaginationTests
{
    [Test]
    public async Task Pages_are_followed_until_the_server_gives_no_cursor()
    {
        var server = new PagedServer
        {
            [""] = (["a", "b"], "p2"),
            ["p2"] = (["c"], "p3"),
            ["p3"] = (["d"], ""),
        };

        var listed = await server.ListAsync();

        Assert.That(listed, Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(server.Sent, Is.EqualTo(new string?[] { null, "p2", "p3" }));
    }

    [Test]
    public async Task A_server_repeating_its_cursor_on_every_page_ends_the_listing_with_what_it_served_once()
    {
        // As prism mock does with a spec's example header: every page is the same, with the same next token.
        var server = new PagedServer { [""] = (["sbx-1", "sbx-2"], "string"), ["string"] = (["sbx-1", "sbx-2"], "string") };
        var warnings = new List<string>();
        var previous = SandboxWarnings.Handler;
        SandboxWarnings.Handler = message =>
        {
            if (message.Contains(server.Provider, StringComparison.Ordinal))
            {
                lock (warnings)
                {
                    warnings.Add(message);
                }
            }

            previous(message);
        };
        IReadOnlyList<string> listed;
        try
        {
            listed = await server.ListAsync();
        }
        finally
        {
            SandboxWarnings.Handler = previous;
        }

        Assert.That(listed, Is.EqualTo(new[] { "sbx-1", "sbx-2" }), "each item once");
        Assert.That(server.Sent, Is.EqualTo(new string?[] { null, "string" }), "the repeated cursor is not sent a second time");
        Assert.That(warnings, Has.Count.EqualTo(1).And.Some.Contains("already served"), "the user is told the listing may be incomplete");
    }

    [Test]
    public async Task A_cursor_cycle_ends_the_listing_when_it_comes_back_around()
    {
        var server = new PagedServer
        {
            [""] = (["a"], "A"),
            ["A"] = (["b"], "B"),
            ["B"] = (["c", "a"], "A"),
        };

        var listed = await server.ListAsync();

        Assert.That(listed, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(server.Sent, Is.EqualTo(new string?[] { null, "A", "B" }));
    }

    [Test]
    public void A_server_with_endless_fresh_cursors_is_stopped_at_the_page_bound_with_a_provider_error()
    {
        var server = new PagedServer { Endless = true };

        var error = Assert.ThrowsAsync<ProviderException>(async () => await server.ListAsync(maxPages: 25));

        Assert.That(server.Sent, Has.Count.EqualTo(25));
        Assert.That(error!.Provider, Is.EqualTo(server.Provider));
        Assert.That(error.Message, Does.Contain("25 pages").And.Contain("did not end"));
        Assert.That(error.IsTransient, Is.False, "asking again would not end it either");
    }

    [Test]
    public void A_page_that_never_comes_is_a_timeout_error_once_the_listing_budget_is_spent()
    {
        var server = new PagedServer { [""] = (["a"], "p2"), Hang = "p2" };
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<SandboxTimeoutException>(async () => await server.ListAsync(budget: TimeSpan.FromMilliseconds(300)));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(error!.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        Assert.That(error.Provider, Is.EqualTo(server.Provider));
        Assert.That(error.InnerException, Is.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Many_quick_pages_still_end_within_the_budget_of_the_whole_listing()
    {
        // Each page answers well within any per-request timeout; only the listing's own budget can stop them.
        var server = new PagedServer { Endless = true, Delay = TimeSpan.FromMilliseconds(20) };
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<SandboxTimeoutException>(async () => await server.ListAsync(budget: TimeSpan.FromMilliseconds(500)));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(server.Sent, Has.Count.GreaterThan(1).And.Count.LessThan(Pagination.DefaultMaxPages));
    }

    [Test]
    public void The_callers_own_cancellation_stays_a_cancellation()
    {
        var server = new PagedServer { Hang = "" };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(async () => await server.ListAsync(cancellationToken: cancel.Token),
            Throws.InstanceOf<OperationCanceledException>().And.Not.InstanceOf<SandboxException>());
    }

    [Test]
    public async Task A_limit_stops_the_listing_as_soon_as_it_is_reached_and_asks_only_for_what_is_missing()
    {
        var server = new PagedServer
        {
            [""] = (["a", "b"], "p2"),
            ["p2"] = (["b", "c", "d"], "p3"),
            ["p3"] = (["e", "f"], "p4"),
            ["p4"] = (["g"], null),
        };

        var listed = await server.ListAsync(limit: 5);

        Assert.That(listed, Is.EqualTo(new[] { "a", "b", "c", "d", "e" }), "the duplicate does not count towards the limit");
        Assert.That(server.Sent, Is.EqualTo(new string?[] { null, "p2", "p3" }), "no page is read past the limit");
        Assert.That(server.Remaining, Is.EqualTo(new int?[] { 5, 3, 1 }));
    }

    [Test]
    public async Task A_limit_holds_even_when_the_server_repeats_itself()
    {
        var server = new PagedServer { [""] = (["a", "b", "c"], "string"), ["string"] = (["a", "b", "c"], "string") };

        var listed = await server.ListAsync(limit: 2);

        Assert.That(listed, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(server.Sent, Has.Count.EqualTo(1));
    }

    /// <summary>A vendor's paginated listing: pages by cursor (the first under ""), endless or hanging on demand.</summary>
    private sealed class PagedServer : Dictionary<string, (string[] Items, string? Next)>
    {
        public string Provider { get; } = "paged-" + Guid.NewGuid().ToString("N")[..8];

        /// <summary>Each page gives a new cursor and a new item, for ever.</summary>
        public bool Endless { get; init; }

        /// <summary>The cursor whose page never arrives.</summary>
        public string? Hang { get; init; }

        /// <summary>How long each page takes.</summary>
        public TimeSpan Delay { get; init; }

        public List<string?> Sent { get; } = [];

        public List<int?> Remaining { get; } = [];

        public Task<IReadOnlyList<string>> ListAsync(int? limit = null, int maxPages = Pagination.DefaultMaxPages, TimeSpan? budget = null,
            CancellationToken cancellationToken = default) =>
            Pagination.CollectAsync(Provider, "items", FetchAsync, item => item, limit, cancellationToken, maxPages, budget);

        private async Task<(IEnumerable<string> Items, string? Next)> FetchAsync(string? cursor, int? remaining, CancellationToken cancellationToken)
        {
            Sent.Add(cursor);
            Remaining.Add(remaining);
            if ((cursor ?? string.Empty) == Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            if (Endless)
            {
                var n = Sent.Count;
                return ([$"item-{n}"], $"cursor-{n}");
            }

            return this[cursor ?? string.Empty];
        }
    }
}
