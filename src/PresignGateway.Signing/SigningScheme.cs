namespace PresignGateway.Signing;

/// <summary>The query-string signature a store expects.</summary>
public enum SigningScheme
{
    /// <summary>Alibaba Cloud OSS signature V4 (<c>OSS4-HMAC-SHA256</c>), the default for OSS.</summary>
    OssV4,

    /// <summary>Alibaba Cloud OSS legacy V1 (<c>OSSAccessKeyId</c>/<c>Expires</c>/<c>Signature</c>, HMAC-SHA1).</summary>
    OssV1,

    /// <summary>AWS SigV4 (<c>AWS4-HMAC-SHA256</c>) for S3 and S3-compatible stores.</summary>
    S3V4,
}

/// <summary>Where the bucket name goes in the URL.</summary>
public enum AddressingStyle
{
    /// <summary><c>bucket.endpoint-host/key</c>.</summary>
    VirtualHosted,

    /// <summary><c>endpoint-host/bucket/key</c>.</summary>
    Path,

    /// <summary><c>custom-host/key</c>: a domain bound to the bucket; the bucket is in neither host nor path.</summary>
    CustomDomain,
}

/// <summary>The HTTP method a URL is signed for; a URL signed for one fails for the other.</summary>
public enum PresignMethod
{
    Get,
    Head,
}
