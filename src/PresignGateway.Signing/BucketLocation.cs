using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Where a bucket is reached: endpoint, signing region, bucket name and addressing style. Validated once when it is
/// created, and it precomputes the host and URL prefix so that presigning only encodes the object key.
/// </summary>
public sealed class BucketLocation
{
    private BucketLocation(Uri endpoint, string region, string bucket, AddressingStyle addressing)
    {
        Region = region;
        Bucket = bucket;
        Addressing = addressing;
        Scheme = endpoint.Scheme;

        // Uri.Host keeps the brackets of an IPv6 literal; IdnHost gives the punycode form of an international name.
        string host = endpoint.HostNameType == UriHostNameType.Dns ? endpoint.IdnHost : endpoint.Host;
        string endpointAuthority = endpoint.IsDefaultPort ? host : $"{host}:{endpoint.Port}";
        Host = addressing == AddressingStyle.VirtualHosted ? $"{bucket}.{endpointAuthority}" : endpointAuthority;
        BucketInPath = addressing == AddressingStyle.Path;
        UrlPrefixUtf8 = Encoding.ASCII.GetBytes($"{Scheme}://{Host}");
        HostUtf8 = Encoding.ASCII.GetBytes(Host);
        BucketUtf8 = Encoding.ASCII.GetBytes(bucket);
        RegionUtf8 = Encoding.ASCII.GetBytes(region);
    }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    /// <summary>The Host header a downloader sends: the bucket's host for virtual-hosted style, else the endpoint's.</summary>
    public string Host { get; }

    public string Region { get; }

    public string Bucket { get; }

    public AddressingStyle Addressing { get; }

    /// <summary>True for path style, where the URL path starts with <c>/bucket</c>.</summary>
    public bool BucketInPath { get; }

    internal byte[] UrlPrefixUtf8 { get; }

    internal byte[] HostUtf8 { get; }

    internal byte[] BucketUtf8 { get; }

    internal byte[] RegionUtf8 { get; }

    /// <summary>Validates every part and builds the location; throws <see cref="InvalidPresignRequestException"/> naming the first bad part.</summary>
    /// <param name="endpoint">The service endpoint without the bucket, <c>scheme://host[:port]</c>.</param>
    public static BucketLocation Create(string endpoint, string region, string bucket, AddressingStyle addressing)
    {
        IReadOnlyList<InvalidPresignRequestException> problems = Validate(endpoint, region, bucket, addressing);
        if (problems.Count > 0)
        {
            throw problems[0];
        }

        return new BucketLocation(ParseEndpoint(endpoint)!, region, bucket, addressing);
    }

    /// <summary>Every problem with the parts of a location, for a configuration check that reports them all at once.</summary>
    public static IReadOnlyList<InvalidPresignRequestException> Validate(string endpoint, string region, string bucket, AddressingStyle addressing)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(bucket);
        var problems = new List<InvalidPresignRequestException>();
        Uri? uri = ParseEndpoint(endpoint, problems);
        ValidateRegion(region, problems);
        ValidateBucket(bucket, problems);
        if (!Enum.IsDefined(addressing))
        {
            problems.Add(new InvalidPresignRequestException($"Addressing style {(int)addressing} is not one of VirtualHosted, Path, CustomDomain.", nameof(addressing)));
        }
        else if (addressing == AddressingStyle.VirtualHosted && uri?.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            problems.Add(new InvalidPresignRequestException(
                "Virtual-hosted addressing needs a DNS host name, but the endpoint is an IP address; use Path or CustomDomain addressing.",
                nameof(addressing)));
        }

        return problems;
    }

    /// <summary>
    /// The URL of an object without the query, <c>scheme://host[/bucket]/encoded-key</c>: what every presigner writes
    /// before the <c>?</c>. For checking a URL that claims to be one of ours without signing again.
    /// </summary>
    /// <param name="key">The raw object key, as given to the presigner.</param>
    public string ObjectUrl(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxObjectUrlBytes(key.Length));
        try
        {
            return Encoding.ASCII.GetString(rented, 0, WriteObjectUrl(key, rented));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The largest <see cref="WriteObjectUrl"/> can write for a key of <paramref name="keyLength"/> UTF-16 units.</summary>
    internal int MaxObjectUrlBytes(int keyLength) => UrlPrefixUtf8.Length + BucketUtf8.Length + 2 + (keyLength * UriEncoding.MaxEncodedBytesPerChar);

    /// <summary>Writes <see cref="ObjectUrl"/> as ASCII bytes; returns the number written.</summary>
    internal int WriteObjectUrl(ReadOnlySpan<char> key, Span<byte> destination)
    {
        var url = new Utf8Writer(destination);
        url.Append(UrlPrefixUtf8);
        if (BucketInPath)
        {
            url.Append((byte)'/');
            url.Append(BucketUtf8);
        }

        url.Append((byte)'/');
        url.AppendEncoded(key, keepSlash: true);
        return url.Position;
    }

    public override string ToString() => $"{Scheme}://{Host} (bucket {Bucket}, region {Region}, {Addressing})";

    private static Uri? ParseEndpoint(string endpoint, List<InvalidPresignRequestException>? problems = null)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Host.Length == 0)
        {
            problems?.Add(new InvalidPresignRequestException(
                "The endpoint must be an absolute http or https URL such as https://oss-cn-hangzhou.aliyuncs.com.", nameof(endpoint)));
            return null;
        }

        if (uri.UserInfo.Length != 0 || uri.Query.Length != 0 || uri.Fragment.Length != 0 || uri.AbsolutePath != "/")
        {
            problems?.Add(new InvalidPresignRequestException(
                "The endpoint must be scheme://host[:port] only, with no user info, path, query or fragment; put the bucket in the Bucket setting.",
                nameof(endpoint)));
            return null;
        }

        return uri;
    }

    private static void ValidateRegion(string region, List<InvalidPresignRequestException> problems)
    {
        if (region.Length is 0 or > 64)
        {
            problems.Add(new InvalidPresignRequestException("The region must be 1 to 64 characters, such as cn-hangzhou or us-east-1.", nameof(region)));
            return;
        }

        foreach (char c in region)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                problems.Add(new InvalidPresignRequestException(
                    "The region may contain only lowercase letters, digits and '-' (for OSS, without the 'oss-' prefix: cn-hangzhou).", nameof(region)));
                return;
            }
        }
    }

    private static void ValidateBucket(string bucket, List<InvalidPresignRequestException> problems)
    {
        // The S3 rules, which OSS narrows further (no dots): 3-63 characters, lowercase letters, digits, '.' and '-',
        // starting and ending with a letter or digit.
        const string Rule = "A bucket name has 3 to 63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, with no '..'.";
        if (bucket.Length is < 3 or > 63
            || !char.IsAsciiLetterLower(bucket[0]) && !char.IsAsciiDigit(bucket[0])
            || !char.IsAsciiLetterLower(bucket[^1]) && !char.IsAsciiDigit(bucket[^1])
            || bucket.Contains("..", StringComparison.Ordinal))
        {
            problems.Add(new InvalidPresignRequestException(Rule, nameof(bucket)));
            return;
        }

        foreach (char c in bucket)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                problems.Add(new InvalidPresignRequestException(Rule, nameof(bucket)));
                return;
            }
        }
    }
}
