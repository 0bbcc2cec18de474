namespace PresignGateway.Signing;

/// <summary>Every provider the gateway signs for. Adding one: its presigner file (with its descriptor) and one line in <see cref="All"/>.</summary>
public static class StoreProviders
{
    public static IReadOnlyList<StoreProvider> All { get; } =
    [
        OssV4Presigner.Descriptor,
        OssV1Presigner.Descriptor,
        S3V4Presigner.Descriptor,
    ];

    /// <summary>The settings names, for a message: "OssV4, OssV1, S3V4".</summary>
    public static string Names => string.Join(", ", All.Select(p => p.Name));

    /// <summary>The command-line names, for a message: "oss-v4, oss-v1, s3-v4".</summary>
    public static string CommandLineNames => string.Join(", ", All.Select(p => p.CommandLineName));

    public static StoreProvider Get(SigningScheme scheme)
        => TryGet(scheme) ?? throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signing scheme.");

    /// <summary>The provider of <paramref name="scheme"/>, or null for a value no provider has.</summary>
    public static StoreProvider? TryGet(SigningScheme scheme)
    {
        foreach (StoreProvider provider in All)
        {
            if (provider.Scheme == scheme)
            {
                return provider;
            }
        }

        return null;
    }

    /// <summary>The provider of a settings name (any case), or null.</summary>
    public static StoreProvider? FindByName(string name) => Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The provider of a command-line name (any case), or null.</summary>
    public static StoreProvider? FindByCommandLineName(string name) => Find(p => string.Equals(p.CommandLineName, name, StringComparison.OrdinalIgnoreCase));

    private static StoreProvider? Find(Func<StoreProvider, bool> match)
    {
        foreach (StoreProvider provider in All)
        {
            if (match(provider))
            {
                return provider;
            }
        }

        return null;
    }
}
