namespace PresignGateway.Signing;

/// <summary>Presigns object URLs for one signing scheme. Implementations are pure functions of their inputs and thread-safe.</summary>
public interface IUrlPresigner
{
    SigningScheme Scheme { get; }

    /// <summary>Builds the URL for <paramref name="request"/> in <paramref name="location"/>, signed at <paramref name="signingTime"/>.</summary>
    /// <exception cref="InvalidPresignRequestException">An input breaks a rule of the scheme.</exception>
    PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime);
}
