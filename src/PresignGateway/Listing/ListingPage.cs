namespace PresignGateway.Listing;

/// <summary>
/// One page of a directory as the store returned it: folders first, then files, each in the store's order (UTF-8
/// bytes), and the store's continuation token when there is more. Immutable: the listing cache hands it to every request.
/// </summary>
internal sealed class ListingPage
{
    public static readonly ListingPage Empty = new([], null);

    public ListingPage(ListingEntry[] entries, string? nextToken)
    {
        Entries = entries;
        NextToken = nextToken;
        long cost = 64 + 24 + (8L * entries.Length) + StringCost(nextToken);
        foreach (ListingEntry entry in entries)
        {
            // The record (header, two references, a long, a nullable date, a bool) and its strings.
            cost += 64 + StringCost(entry.Name) + StringCost(entry.ETag);
        }

        Cost = cost;
    }

    public ListingEntry[] Entries { get; }

    /// <summary>The store's token for the next page, or null on the last page.</summary>
    public string? NextToken { get; }

    /// <summary>About the bytes this page keeps alive on 64-bit .NET: what the listing cache charges for it.</summary>
    public long Cost { get; }

    /// <summary>A string on 64-bit .NET: header, length, UTF-16 chars and a terminator, rounded to 8.</summary>
    internal static long StringCost(string? s) => s is null ? 0 : (22 + 2L * s.Length + 7) & ~7L;
}
