using PresignGateway.Signing;

namespace PresignGateway.Configuration;

/// <summary>A bucket in OSS or an S3-compatible store, with the keys that sign for it.</summary>
internal sealed class StoreOptions
{
    /// <summary><c>OssV4</c>, <c>OssV1</c> or <c>S3V4</c>, any case. Kept as text so a typo is reported with every other problem.</summary>
    public string? Provider { get; set; }

    /// <summary><c>scheme://host[:port]</c> of the service, without the bucket.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The signing region: <c>cn-hangzhou</c> for OSS (without <c>oss-</c>), <c>us-east-1</c>, <c>auto</c> for R2.</summary>
    public string? Region { get; set; }

    public string? Bucket { get; set; }

    /// <summary><c>VirtualHosted</c>, <c>Path</c> or <c>CustomDomain</c>.</summary>
    public string Addressing { get; set; } = nameof(AddressingStyle.VirtualHosted);

    /// <summary>How long each presigned URL is valid; the cache keeps it until shortly before that.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Empty: taken from OSS_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID.</summary>
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }

    /// <summary>Where the keys come from when they aren't static: instance metadata, STS, ... (<c>Credentials:Source</c>).</summary>
    public CredentialOptions Credentials { get; set; } = new();
}
