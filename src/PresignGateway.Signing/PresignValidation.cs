using System.Text;

namespace PresignGateway.Signing;

/// <summary>The input rules every scheme shares. Messages name the rule and never quote secrets.</summary>
internal static class PresignValidation
{
    /// <summary>OSS and S3 both cap object keys at 1,023 bytes of UTF-8.</summary>
    public const int MaxKeyBytes = 1023;

    /// <summary>Enough for every download override at once; keeps the signer's stack-allocated tables small.</summary>
    public const int MaxQueryParameters = 32;

    public const int MaxQueryTextLength = 4096;

    public static readonly TimeSpan MaxV4Lifetime = TimeSpan.FromDays(7);

    /// <summary>The longest STS session OSS grants; a URL can't outlive its token.</summary>
    public static readonly TimeSpan MaxOssTokenLifetime = TimeSpan.FromHours(12);

    public static void ValidateMethod(PresignMethod method)
    {
        if (method is not (PresignMethod.Get or PresignMethod.Head))
        {
            throw new InvalidPresignRequestException("Only GET and HEAD URLs can be presigned for downloads.", "method");
        }
    }

    public static void ValidateKey(string? key, bool ossRules)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidPresignRequestException("The object key is empty.", "key");
        }

        // A UTF-16 unit is at most 3 UTF-8 bytes, so short keys skip the byte count.
        if (key.Length > MaxKeyBytes || (key.Length > MaxKeyBytes / 3 && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes))
        {
            // GetByteCount counts a lone surrogate as the 3-byte replacement character, so it never undercounts.
            throw new InvalidPresignRequestException($"The object key is longer than {MaxKeyBytes} bytes of UTF-8.", "key");
        }

        ValidateText(key, "key", "object key");
        if (ossRules && key[0] is '/' or '\\')
        {
            throw new InvalidPresignRequestException("An OSS object key can't start with '/' or '\\'.", "key");
        }
    }

    public static void ValidateLifetime(TimeSpan lifetime, TimeSpan max, string scheme)
    {
        if (lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new InvalidPresignRequestException($"The URL lifetime must be a whole number of seconds (got {lifetime}).", "lifetime");
        }

        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > max)
        {
            throw new InvalidPresignRequestException(
                $"The URL lifetime must be from 1 second to {max.TotalSeconds:0} seconds for {scheme} (got {lifetime.TotalSeconds:0}).", "lifetime");
        }
    }

    /// <summary>Checks names and values and refuses duplicates and the names the scheme writes itself.</summary>
    public static void ValidateQuery(IReadOnlyList<QueryParameter> query, Func<string, bool> isReserved)
    {
        if (query.Count > MaxQueryParameters)
        {
            throw new InvalidPresignRequestException($"At most {MaxQueryParameters} extra query parameters can be signed.", "query");
        }

        for (int i = 0; i < query.Count; i++)
        {
            (string name, string value) = query[i];
            if (string.IsNullOrEmpty(name))
            {
                throw new InvalidPresignRequestException("A query parameter has an empty name.", "query");
            }

            if (value is null)
            {
                throw new InvalidPresignRequestException($"The query parameter '{name}' has a null value; use an empty string.", "query");
            }

            if (name.Length > MaxQueryTextLength || value.Length > MaxQueryTextLength)
            {
                throw new InvalidPresignRequestException($"A query parameter name or value is longer than {MaxQueryTextLength} characters.", "query");
            }

            ValidateText(name, "query", "query parameter name");
            ValidateText(value, "query", "value of the query parameter", name);
            if (isReserved(name))
            {
                throw new InvalidPresignRequestException($"The query parameter '{name}' is written by the signer itself and can't be given.", "query");
            }

            for (int j = 0; j < i; j++)
            {
                if (string.Equals(query[j].Name, name, StringComparison.Ordinal))
                {
                    throw new InvalidPresignRequestException($"The query parameter '{name}' is given twice.", "query");
                }
            }
        }
    }

    /// <summary>Refuses control characters (they would break or inject headers downstream) and unpaired surrogates (no UTF-8 form).</summary>
    private static void ValidateText(string text, string parameterName, string what, string? owner = null)
    {
        // Vectorised fast path: most text has no control character (C0, DEL, C1) and no surrogate at all.
        ReadOnlySpan<char> span = text;
        if (span.IndexOfAnyInRange('\0', '\u001f') < 0 && span.IndexOfAnyInRange('\u007f', '\u009f') < 0 && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsControl(c))
            {
                throw new InvalidPresignRequestException($"The {Describe(what, owner)} contains the control character U+{(int)c:X4} at index {i}.", parameterName);
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new InvalidPresignRequestException($"The {Describe(what, owner)} contains an unpaired UTF-16 surrogate at index {i}; it is not valid Unicode text.", parameterName);
            }
        }
    }

    private static string Describe(string what, string? owner) => owner is null ? what : $"{what} '{owner}'";
}
