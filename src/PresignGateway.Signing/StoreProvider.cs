using System.Globalization;

namespace PresignGateway.Signing;

/// <summary>
/// One kind of store, described once: its signing scheme, lifetime limits, bucket and key rules, override parameters,
/// credential variables and the shape of its signed query. Callers ask the descriptor instead of switching on the
/// scheme, so adding a provider is a new presigner file with its descriptor plus one line in <see cref="StoreProviders"/>.
/// </summary>
public sealed class StoreProvider
{
    internal StoreProvider()
    {
    }

    public required SigningScheme Scheme { get; init; }

    /// <summary>The name in settings (<c>Provider</c>): the scheme's name, such as <c>OssV4</c>.</summary>
    public string Name => Scheme.ToString();

    /// <summary>The name on the <c>presign</c> command line, such as <c>oss-v4</c>.</summary>
    public required string CommandLineName { get; init; }

    /// <summary>What the store is called in messages: <c>OSS</c> or <c>S3</c>.</summary>
    public required string StoreKind { get; init; }

    /// <summary>The longest URL lifetime with long-term keys.</summary>
    public required TimeSpan MaxLifetime { get; init; }

    /// <summary>The longest URL lifetime with an STS token: a URL can't outlive the session that signed it.</summary>
    public required TimeSpan MaxLifetimeWithToken { get; init; }

    /// <summary>S3 bucket names may contain '.'; OSS bucket names may not.</summary>
    public required bool BucketNameMayContainDots { get; init; }

    /// <summary>OSS object keys can't start with '/' or '\'; S3 keys can.</summary>
    public required bool KeyMayStartWithSlash { get; init; }

    public required OverrideQueryNames Overrides { get; init; }

    public required CredentialVariables CredentialVariables { get; init; }

    /// <summary>Whose credential sources (metadata services, STS, SDK variables) the store's keys can come from.</summary>
    public required CredentialFamily CredentialFamily { get; init; }

    /// <summary>The V4 query form's names, or null for the OSS V1 form.</summary>
    internal V4Dialect? V4 { get; init; }

    internal Func<IUrlPresigner> PresignerFactory { get; init; } = static () => throw new InvalidOperationException("The provider has no presigner.");

    /// <summary>A new presigner for this provider; it keeps per-instance caches, so create one per store.</summary>
    public IUrlPresigner CreatePresigner() => PresignerFactory();

    public TimeSpan MaxUrlLifetime(bool withSecurityToken) => withSecurityToken ? MaxLifetimeWithToken : MaxLifetime;

    /// <summary>True when URLs of <paramref name="lifetime"/> can be signed: whole seconds, from one second to the limit.</summary>
    public bool IsLifetimeAllowed(TimeSpan lifetime, bool withSecurityToken)
        => lifetime.Ticks % TimeSpan.TicksPerSecond == 0 && lifetime >= TimeSpan.FromSeconds(1) && lifetime <= MaxUrlLifetime(withSecurityToken);

    /// <summary>The lifetime rule in words, for a message: "a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4".</summary>
    public string LifetimeRule(bool withSecurityToken)
    {
        TimeSpan max = MaxUrlLifetime(withSecurityToken);
        string token = withSecurityToken && max != MaxLifetime ? " with an STS token" : "";
        return string.Create(CultureInfo.InvariantCulture, $"a whole number of seconds from 00:00:01 to {max:c} for {Name}{token}");
    }

    /// <summary>Why <paramref name="bucket"/> can't be used with this provider, or null. The general rules are <see cref="BucketLocation"/>'s.</summary>
    public string? BucketProblem(string bucket)
        => !BucketNameMayContainDots && bucket.Contains('.', StringComparison.Ordinal) ? $"An {StoreKind} bucket name can't contain '.'." : null;

    public override string ToString() => Name;
}
