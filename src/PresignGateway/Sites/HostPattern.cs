namespace PresignGateway.Sites;

/// <summary>
/// The host patterns of site Hosts and Referer allow-lists: an exact name, <c>*.example.com</c> (one label or more
/// before <c>.example.com</c>, not the name itself) or <c>*</c> (any host). Matched without case, on names without a port.
/// </summary>
internal static class HostPattern
{
    public const string Any = "*";

    /// <summary>True for <c>*</c>, <c>*.name</c> and a plain host name or IPv4 address; patterns are compared lower-case.</summary>
    public static bool IsValid(string pattern)
    {
        if (pattern == Any)
        {
            return true;
        }

        string name = IsWildcard(pattern) ? pattern[2..] : pattern;
        return name.Length > 0 && Uri.CheckHostName(name) is UriHostNameType.Dns or UriHostNameType.IPv4 && !name.Contains('*', StringComparison.Ordinal);
    }

    /// <summary>True for <c>*.example.com</c>.</summary>
    public static bool IsWildcard(string pattern) => pattern.StartsWith("*.", StringComparison.Ordinal);

    public static bool Matches(string pattern, string host)
        => pattern == Any
            || (IsWildcard(pattern) ? MatchesWildcard(pattern, host) : string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when <paramref name="host"/> has at least one label before the suffix of <c>*.example.com</c>.</summary>
    public static bool MatchesWildcard(string wildcard, string host)
        => host.Length > wildcard.Length - 1 && host.EndsWith(wildcard.AsSpan(1), StringComparison.OrdinalIgnoreCase);
}
