namespace PresignGateway.Signing.Tests;

/// <summary>Every case of the SDK-generated golden vectors: signature exact, origin exact, path and query equal after decoding.</summary>
public sealed class GoldenVectorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string provider in new[] { "oss-v4", "oss-v1", "s3-v4" })
        {
            foreach (VectorCase vectorCase in VectorFile.Load("Vectors", provider))
            {
                data.Add(provider, vectorCase.Name);
            }
        }

        return data;
    }

    [Fact]
    public void All_vector_files_are_present_and_complete()
    {
        Assert.Equal(25, VectorFile.Load("Vectors", "oss-v4").Count);
        Assert.Equal(25, VectorFile.Load("Vectors", "oss-v1").Count);
        Assert.Equal(26, VectorFile.Load("Vectors", "s3-v4").Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Presigned_url_matches_the_sdk(string provider, string name)
    {
        VectorCase vectorCase = VectorFile.Load("Vectors", provider).Single(c => c.Name == name);

        PresignedUrl url = VectorFile.Presign(vectorCase);

        Assert.Equal(vectorCase.Expected.Signature, UrlComparison.QueryValue(url.Url, VectorFile.SignatureParameter(provider)));
        UrlComparison.AssertEquivalent(vectorCase.Expected.Url, url.Url);
        DateTimeOffset expectedExpiry = vectorCase.Expected.ExpiresEpoch is { } epoch
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : vectorCase.Input.SignTime.AddSeconds(vectorCase.Input.ExpiresSeconds);
        Assert.Equal(expectedExpiry, url.ExpiresAt);
    }
}
