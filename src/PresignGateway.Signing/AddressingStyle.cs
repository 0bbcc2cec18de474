namespace PresignGateway.Signing;

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
