namespace PresignGateway.Configuration;

internal enum DeliveryMode
{
    /// <summary>Stream the object through the gateway.</summary>
    Proxy,

    /// <summary>Answer 302 with the presigned URL.</summary>
    Redirect,
}
