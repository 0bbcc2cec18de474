using System.Text.Json;
using System.Text.Json.Serialization;

namespace PresignGateway.Signing.Tests;

/// <summary>A golden presign vector made by an official SDK (see Vectors/README.md).</summary>
public sealed record VectorCase(
    string Name, VectorInput Input, VectorExpected Expected, string? Method = null, string? Operation = null, VectorDirectoryPage? DirectoryPage = null)
{
    /// <summary>A bucket-level ListObjectsV2 case (no key) from the list-*.json files.</summary>
    public bool IsBucketRequest => Operation == "ListObjectsV2";

    public string Provider { get; set; } = "";
}

public sealed record VectorInput(
    string AccessKeyId,
    string AccessKeySecret,
    string? SecurityToken,
    string Region,
    string Endpoint,
    string Bucket,
    string Key,
    string AddressingStyle,
    DateTimeOffset SignTime,
    long ExpiresSeconds,
    Dictionary<string, string>? Query);

/// <summary>The arguments of ListObjectsQuery.ForDirectoryPage that build exactly a list case's query.</summary>
public sealed record VectorDirectoryPage(string Prefix, int MaxKeys, string? ContinuationToken);

public sealed record VectorExpected(string Url, string Signature, string? CanonicalRequest, string? StringToSign, long? ExpiresEpoch);

internal sealed record VectorDocument(string Provider, string GeneratedBy, List<VectorCase> Cases);

/// <summary>Loads vector files copied next to the test assembly, so the repository stands alone.</summary>
internal static class VectorFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <param name="fileName">The file without <c>.json</c>, when it is not named after the provider (list-oss-v4, ...).</param>
    public static IReadOnlyList<VectorCase> Load(string directory, string provider, string? fileName = null)
    {
        string path = Path.Combine(AppContext.BaseDirectory, directory, (fileName ?? provider) + ".json");
        VectorDocument document = JsonSerializer.Deserialize<VectorDocument>(File.ReadAllText(path), Options)
            ?? throw new InvalidOperationException($"{path} is empty.");
        Assert.Equal(provider, document.Provider);
        foreach (VectorCase vectorCase in document.Cases)
        {
            vectorCase.Provider = provider;
        }

        return document.Cases;
    }

    public static AddressingStyle ParseAddressing(string style) => style switch
    {
        "virtual-hosted" => AddressingStyle.VirtualHosted,
        "path" => AddressingStyle.Path,
        "cname" => AddressingStyle.CustomDomain,
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown addressing style in a vector."),
    };

    public static SigningScheme ParseScheme(string provider) => provider switch
    {
        "oss-v4" => SigningScheme.OssV4,
        "oss-v1" => SigningScheme.OssV1,
        "s3-v4" => SigningScheme.S3V4,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider in a vector."),
    };

    /// <summary>Presigns a vector's input with the project's signer.</summary>
    public static PresignedUrl Presign(VectorCase vectorCase)
    {
        var query = new List<QueryParameter>();
        foreach ((string name, string value) in vectorCase.Input.Query ?? [])
        {
            query.Add(new QueryParameter(name, value));
        }

        return Presign(vectorCase, query);
    }

    /// <summary>Presigns a vector's input with <paramref name="query"/> in place of its own query.</summary>
    public static PresignedUrl Presign(VectorCase vectorCase, IReadOnlyList<QueryParameter> query)
    {
        VectorInput input = vectorCase.Input;
        IUrlPresigner presigner = StoreProviders.Get(ParseScheme(vectorCase.Provider)).CreatePresigner();
        BucketLocation location = BucketLocation.Create(input.Endpoint, input.Region, input.Bucket, ParseAddressing(input.AddressingStyle));
        PresignMethod method = string.Equals(vectorCase.Method, "HEAD", StringComparison.OrdinalIgnoreCase) ? PresignMethod.Head : PresignMethod.Get;
        TimeSpan lifetime = TimeSpan.FromSeconds(input.ExpiresSeconds);
        PresignRequest request = vectorCase.IsBucketRequest
            ? PresignRequest.ForBucket(method, lifetime, query)
            : new PresignRequest(method, input.Key, lifetime, query);
        return presigner.Presign(location, request, new Credentials(input.AccessKeyId, input.AccessKeySecret, input.SecurityToken), input.SignTime);
    }

    public static string SignatureParameter(string provider) => provider switch
    {
        "oss-v4" => "x-oss-signature",
        "oss-v1" => "Signature",
        _ => "X-Amz-Signature",
    };
}
