namespace PresignGateway.Listing;

/// <summary>What a cached answer of the listing cache answers.</summary>
internal enum ListingQuestion : byte
{
    /// <summary>A page of a directory.</summary>
    Page,

    /// <summary>Whether an object exists (an index document, or a path in redirect mode before append-slash).</summary>
    ObjectExists,

    /// <summary>Whether anything exists under a prefix (append-slash).</summary>
    HasEntries,
}
