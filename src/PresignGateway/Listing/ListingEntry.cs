namespace PresignGateway.Listing;

/// <summary>One entry of a directory page: a folder (a common prefix) or a file (an object).</summary>
/// <param name="Name">Relative to the listed directory, decoded; a folder's without its trailing '/'.</param>
/// <param name="ETag">Without the quotes the stores put around it; null for a folder.</param>
internal sealed record ListingEntry(string Name, bool IsDirectory, long Size, DateTimeOffset? LastModified, string? ETag);
