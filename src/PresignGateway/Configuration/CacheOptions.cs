namespace PresignGateway.Configuration;

internal sealed class CacheOptions
{
    /// <summary>Refresh a cached URL this long before it expires (or 10% of its lifetime when that is smaller).</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most URLs the in-process tier holds.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>The most memory the in-process tier holds, each URL charged what it keeps alive (key, URL, parsed URI, overhead).</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>One URL with long hostile names costs up to about 40 KB: below this, the tier would hold too few.</summary>
    public const long MinMaxBytes = 1024 * 1024;

    /// <summary>
    /// The most memory directory listings held in process may take (their own budget, apart from MaxBytes): each page
    /// charged what it keeps alive. 0 turns the listing cache off.
    /// </summary>
    public long ListingMaxBytes { get; set; } = DefaultListingMaxBytes;

    public const long DefaultListingMaxBytes = 16L * 1024 * 1024;

    /// <summary>A StackExchange.Redis connection string for the shared tier; <c>ConnectionStrings:Redis</c> works too. Empty: in-process only.</summary>
    public string? Redis { get; set; }

    /// <summary>The longest any Redis call may take before the download goes on without it.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(200);
}
