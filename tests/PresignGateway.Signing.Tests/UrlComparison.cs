namespace PresignGateway.Signing.Tests;

/// <summary>Compares presigned URLs the way the stores read them (Vectors/README.md, "How to compare").</summary>
public static class UrlComparison
{
    public static void AssertEquivalent(string expected, string actual)
    {
        (string expectedOrigin, string expectedPath, string expectedQuery) = Split(expected);
        (string actualOrigin, string actualPath, string actualQuery) = Split(actual);
        Assert.Equal(expectedOrigin, actualOrigin);
        Assert.Equal(Uri.UnescapeDataString(expectedPath), Uri.UnescapeDataString(actualPath));
        Assert.Equal(DecodeQuery(expectedQuery), DecodeQuery(actualQuery));
    }

    /// <summary>Scheme and authority, raw path, raw query: split by hand, since System.Uri would canonicalise them.</summary>
    public static (string Origin, string Path, string Query) Split(string url)
    {
        int authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        int pathStart = url.IndexOf('/', authorityStart);
        int queryStart = url.IndexOf('?', pathStart);
        return queryStart < 0
            ? (url[..pathStart], url[pathStart..], "")
            : (url[..pathStart], url[pathStart..queryStart], url[(queryStart + 1)..]);
    }

    /// <summary>Decoded name=value pairs in ordinal order; a raw '+' is a space, as the stores read a query.</summary>
    public static List<string> DecodeQuery(string query)
    {
        var pairs = new List<string>();
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? part : part[..equals];
            string value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add(Decode(name) + "=" + Decode(value));
        }

        pairs.Sort(StringComparer.Ordinal);
        return pairs;
    }

    public static string QueryValue(string url, string name)
    {
        foreach (string part in Split(url).Query.Split('&'))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return Decode(part[(name.Length + 1)..]);
            }
        }

        throw new Xunit.Sdk.XunitException($"The URL has no query parameter '{name}'.");
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
