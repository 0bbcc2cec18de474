namespace PresignGateway.Listing;

/// <summary>A listing that can't be answered: the status and the one-sentence detail the client gets (never the store's text).</summary>
internal sealed class ListingException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}
