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
