using System.Globalization;

namespace PresignGateway.Signing;

/// <summary>
/// The query of a ListObjectsV2 request, which OSS and S3 name alike. OSS V1 signs only <c>continuation-token</c> of
/// these (a sub-resource); OSS V4 and S3 sign them all.
/// </summary>
public static class ListObjectsQuery
{
    public const string ListType = "list-type";
    public const string Prefix = "prefix";
    public const string Delimiter = "delimiter";
    public const string MaxKeys = "max-keys";
    public const string EncodingType = "encoding-type";
    public const string ContinuationToken = "continuation-token";
    public const string StartAfter = "start-after";

    /// <summary>The most keys one page can hold on both services.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The query of one directory page: <c>list-type=2</c>, <c>prefix</c> (left out when empty: the whole bucket),
    /// <c>delimiter=/</c>, <c>max-keys</c> (always: OSS defaults to 100, S3 to 1000), <c>encoding-type=url</c> (so keys
    /// with characters XML 1.0 can't carry still list) and, after the first page, <c>continuation-token</c>.
    /// </summary>
    /// <param name="prefix">The raw key prefix, usually ending in <c>/</c>.</param>
    /// <param name="maxKeys">1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="continuationToken">The store's <c>NextContinuationToken</c> from the previous page, or null/empty for the first.</param>
    public static QueryParameter[] ForDirectoryPage(string prefix, int maxKeys, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxKeys, MaxPageSize);
        int count = 4 + (prefix.Length > 0 ? 1 : 0) + (string.IsNullOrEmpty(continuationToken) ? 0 : 1);
        var query = new QueryParameter[count];
        int i = 0;
        query[i++] = new QueryParameter(ListType, "2");
        if (prefix.Length > 0)
        {
            query[i++] = new QueryParameter(Prefix, prefix);
        }

        query[i++] = new QueryParameter(Delimiter, "/");
        query[i++] = new QueryParameter(MaxKeys, maxKeys.ToString(CultureInfo.InvariantCulture));
        query[i++] = new QueryParameter(EncodingType, "url");
        if (!string.IsNullOrEmpty(continuationToken))
        {
            query[i] = new QueryParameter(ContinuationToken, continuationToken);
        }

        return query;
    }
}
