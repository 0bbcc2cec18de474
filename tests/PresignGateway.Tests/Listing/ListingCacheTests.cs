using PresignGateway.Listing;
using PresignGateway.Signing;
using PresignGateway.Stores;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Listing;

/// <summary>The listing cache stays within its byte budget whatever a client asks for, and forgets expired answers.</summary>
// Alone: the charge-versus-allocation checks count this thread's allocations, which tests running beside it have
// been seen to inflate by about 600 KB in clean-clone runs.
[Collection(RunsAlone.Name)]
public sealed class ListingCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_flood_of_distinct_prefixes_and_cursors_never_passes_the_budget()
    {
        const long budget = 256 * 1024;
        var cache = new ListingCache(budget);
        Store store = ListingTestStores.Create();
        ListingPage page = Page(50);
        long peak = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var key = new ListingCacheKey("site", store, ListingQuestion.Page, $"hostile/{i}/{new string('x', i % 700)}/", i % 2 == 0 ? null : $"token-{i}");
            cache.Set(key, page, page.Cost, Now.AddSeconds(10), Now);
            peak = Math.Max(peak, cache.Bytes);
        }

        Assert.InRange(peak, budget / 2, budget);
    }

    [Fact]
    public void What_an_entry_is_charged_covers_what_it_keeps_alive()
    {
        // Measured on this thread only: the pages, their strings, the keys and the cache's own nodes, all retained.
        var cache = new ListingCache(long.MaxValue);
        Store store = ListingTestStores.Create();
        // First use of these types (static state, lazily built tables) allocates on whichever test comes first: not here.
        var warm = new ListingCache(long.MaxValue);
        ListingPage warmPage = Page(50, -1);
        warm.Set(new ListingCacheKey("site", store, ListingQuestion.Page, "w/", "token-w"), warmPage, warmPage.Cost, Now.AddSeconds(10), Now);
        long charged = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            ListingPage page = Page(50, i);
            var key = new ListingCacheKey("site", store, ListingQuestion.Page, $"p/{i}/", $"token-{i}");
            cache.Set(key, page, page.Cost, Now.AddSeconds(10), Now);
            charged += key.Cost + page.Cost + ListingCache.EntryOverhead;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(charged, cache.Bytes);
        // The charge may err high (the dictionary's slack), never low by more than the dictionary's regrowth garbage.
        Assert.InRange(charged, allocated * 9 / 10, allocated * 2);
        GC.KeepAlive(cache);
    }

    [Fact]
    public void An_answer_expires_and_an_answer_larger_than_the_budget_is_not_kept()
    {
        var cache = new ListingCache(64 * 1024);
        Store store = ListingTestStores.Create();
        var key = new ListingCacheKey("site", store, ListingQuestion.Page, "a/", null);
        cache.Set(key, Page(3), Page(3).Cost, Now.AddSeconds(10), Now);

        Assert.True(cache.TryGet(key, Now.AddSeconds(9), out _));
        Assert.False(cache.TryGet(key, Now.AddSeconds(10), out _));
        Assert.Equal(0, cache.Bytes);

        ListingPage huge = Page(1000);
        cache.Set(key, huge, huge.Cost, Now.AddSeconds(10), Now);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_least_recently_used_answer_goes_first()
    {
        ListingPage page = Page(10);
        Store store = ListingTestStores.Create();
        var first = new ListingCacheKey("site", store, ListingQuestion.Page, "first/", null);
        long entry = first.Cost + page.Cost + ListingCache.EntryOverhead;
        var cache = new ListingCache((entry * 3) + 8);
        cache.Set(first, page, page.Cost, Now.AddSeconds(10), Now);
        cache.Set(first with { Prefix = "second/" }, page, page.Cost, Now.AddSeconds(10), Now);
        cache.Set(first with { Prefix = "third/" }, page, page.Cost, Now.AddSeconds(10), Now);
        Assert.True(cache.TryGet(first, Now, out _));

        cache.Set(first with { Prefix = "fourth/" }, page, page.Cost, Now.AddSeconds(10), Now);

        Assert.True(cache.TryGet(first, Now, out _));
        Assert.False(cache.TryGet(first with { Prefix = "second/" }, Now, out _));
        Assert.True(cache.TryGet(first with { Prefix = "fourth/" }, Now, out _));
    }

    private static ListingPage Page(int entries, int seed = 0)
        => new([.. Enumerable.Range(0, entries).Select(i => new ListingEntry($"file-{seed}-{i:D5}-with-a-longer-name.tar.gz", false, i, Now, $"etag{seed}{i:D28}"))], null);
}
