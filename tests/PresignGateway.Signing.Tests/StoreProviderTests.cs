namespace PresignGateway.Signing.Tests;

/// <summary>
/// The provider descriptors: one per scheme, and the limits and rules they state are the ones their signers enforce,
/// so the gateway's start-up checks (which read the descriptor) and the signer can't drift apart.
/// </summary>
public sealed class StoreProviderTests
{
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);

    public static TheoryData<SigningScheme> Schemes() => [.. Enum.GetValues<SigningScheme>()];

    [Fact]
    public void Every_scheme_has_exactly_one_provider_with_unique_names()
    {
        Assert.Equal(Enum.GetValues<SigningScheme>().Order(), StoreProviders.All.Select(p => p.Scheme).Order());
        Assert.Equal(StoreProviders.All.Count, StoreProviders.All.Select(p => p.Name.ToLowerInvariant()).Distinct().Count());
        Assert.Equal(StoreProviders.All.Count, StoreProviders.All.Select(p => p.CommandLineName.ToLowerInvariant()).Distinct().Count());
        Assert.Same(StoreProviders.Get(SigningScheme.S3V4), StoreProviders.FindByName("s3v4"));
        Assert.Same(StoreProviders.Get(SigningScheme.OssV1), StoreProviders.FindByCommandLineName("OSS-V1"));
        Assert.Null(StoreProviders.FindByName("1"));
        Assert.Null(StoreProviders.TryGet((SigningScheme)99));
    }

    [Theory]
    [InlineData(SigningScheme.OssV4, false, 7 * 86400)]
    [InlineData(SigningScheme.OssV4, true, 12 * 3600)]
    [InlineData(SigningScheme.OssV1, false, 3650 * 86400)]
    [InlineData(SigningScheme.OssV1, true, 12 * 3600)]
    [InlineData(SigningScheme.S3V4, false, 7 * 86400)]
    [InlineData(SigningScheme.S3V4, true, 7 * 86400)]
    public void The_signer_enforces_the_lifetime_limit_its_descriptor_states(SigningScheme scheme, bool withToken, int maxSeconds)
    {
        StoreProvider provider = StoreProviders.Get(scheme);
        TimeSpan max = TimeSpan.FromSeconds(maxSeconds);
        Assert.Equal(max, provider.MaxUrlLifetime(withToken));
        Assert.True(provider.IsLifetimeAllowed(max, withToken));
        Assert.False(provider.IsLifetimeAllowed(max + TimeSpan.FromSeconds(1), withToken));
        Assert.False(provider.IsLifetimeAllowed(TimeSpan.FromMilliseconds(1500), withToken));

        Presign(provider, "a.txt", max, withToken);
        var refused = Assert.Throws<InvalidPresignRequestException>(() => Presign(provider, "a.txt", max + TimeSpan.FromSeconds(1), withToken));
        Assert.Contains(provider.LifetimeRule(withToken), refused.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void The_signer_enforces_the_bucket_and_key_rules_its_descriptor_states(SigningScheme scheme)
    {
        StoreProvider provider = StoreProviders.Get(scheme);
        Assert.Equal(provider.BucketNameMayContainDots, provider.BucketProblem("with.dots") is null);
        var dotted = BucketLocation.Create("https://store.example.com", "us-east-1", "with.dots", AddressingStyle.Path);
        var plain = BucketLocation.Create("https://store.example.com", "us-east-1", "plain", AddressingStyle.Path);
        var credentials = new Credentials("id", "secret");
        IUrlPresigner presigner = provider.CreatePresigner();
        var request = new PresignRequest(PresignMethod.Get, "/leading-slash", TimeSpan.FromMinutes(1));
        if (provider.BucketNameMayContainDots)
        {
            presigner.Presign(dotted, new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromMinutes(1)), credentials, SignTime);
        }
        else
        {
            var refused = Assert.Throws<InvalidPresignRequestException>(() => presigner.Presign(dotted, new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromMinutes(1)), credentials, SignTime));
            Assert.Equal(provider.BucketProblem("with.dots"), refused.Reason);
        }

        if (provider.KeyMayStartWithSlash)
        {
            presigner.Presign(plain, request, credentials, SignTime);
        }
        else
        {
            Assert.Throws<InvalidPresignRequestException>(() => presigner.Presign(plain, request, credentials, SignTime));
        }
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void The_override_names_are_the_ones_the_signer_signs(SigningScheme scheme)
    {
        StoreProvider provider = StoreProviders.Get(scheme);
        OverrideQueryNames names = provider.Overrides;
        var location = BucketLocation.Create("https://store.example.com", "us-east-1", "bucket", AddressingStyle.Path);
        QueryParameter[] query = [new(names.VersionId, "v1"), new(names.ContentDisposition, "attachment"), .. names.ImageProcess is { } process ? [new QueryParameter(process, "image/resize,w_10")] : Array.Empty<QueryParameter>()];
        var request = new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromMinutes(1), query);
        var credentials = new Credentials("id", "secret");
        PresignedUrl url = provider.CreatePresigner().Presign(location, request, credentials, SignTime);

        Assert.True(PresignedUrlShape.Matches(scheme, location, request, credentials, url.Url, url.ExpiresAt));
        Assert.Contains(names.ContentDisposition + "=attachment", url.Url, StringComparison.Ordinal);
        Assert.Equal(scheme is SigningScheme.OssV4 or SigningScheme.OssV1, names.ImageProcess is not null);
    }

    private static PresignedUrl Presign(StoreProvider provider, string key, TimeSpan lifetime, bool withToken)
    {
        var location = BucketLocation.Create("https://store.example.com", "us-east-1", "bucket", AddressingStyle.Path);
        var credentials = new Credentials("id", "secret", withToken ? "token" : null);
        return provider.CreatePresigner().Presign(location, new PresignRequest(PresignMethod.Get, key, lifetime), credentials, SignTime);
    }
}
