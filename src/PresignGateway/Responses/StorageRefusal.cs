using Microsoft.AspNetCore.Http;

namespace PresignGateway.Responses;

/// <summary>What a store's 4xx says about who was refused, and so what the gateway does about it.</summary>
internal enum StorageRefusal
{
    /// <summary>The signature, key, token or time was refused: evict the URL, sign again, try once more; then 502.</summary>
    Credentials,

    /// <summary>A 403 without an error code (a HEAD has no body): try once more like <see cref="Credentials"/>; then 403.</summary>
    Unexplained,

    /// <summary>
    /// Valid credentials, access denied: a policy or ACL, or a missing key that a role without ListBucket may not
    /// learn about (S3 then answers 403, not 404). The client gets 403; nothing is evicted.
    /// </summary>
    Denied,

    /// <summary>The request as the client shaped it (its Range or condition headers, its key) was refused: the client gets the store's 4xx.</summary>
    ClientRequest,

    /// <summary>The gateway's own request was malformed or unexpected: 502.</summary>
    GatewayRequest,
}
