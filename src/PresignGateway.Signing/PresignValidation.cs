namespace PresignGateway.Signing;

/// <summary>The input rules every scheme shares. Messages name the rule and never quote secrets.</summary>
internal static class PresignValidation
{
    /// <summary>Enough for every download override at once; keeps the signer's stack-allocated tables small.</summary>
    public const int MaxQueryParameters = 32;

    public const int MaxQueryTextLength = 4096;

    public static void ValidateMethod(PresignMethod method)
    {
        if (method is not (PresignMethod.Get or PresignMethod.Head))
        {
            throw new InvalidPresignRequestException("Only GET and HEAD URLs can be presigned for downloads.", "method");
        }
    }

    /// <summary>Checks the object key of an object request; a bucket-level request has none (its key is empty by construction).</summary>
    public static void ValidateTarget(in PresignRequest request, StoreProvider provider)
    {
        if (request.IsBucketRequest)
        {
            return;
        }

        ValidateKey(request.Key, provider);
    }

    private static void ValidateKey(string? key, StoreProvider provider)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidPresignRequestException("The object key is empty.", "key");
        }

        if (TextRules.IsKeyTooLong(key))
        {
            throw new InvalidPresignRequestException($"The object key is longer than {TextRules.MaxKeyBytes} bytes of UTF-8.", "key");
        }

        ValidateText(key, "key", "object key");
        if (!provider.KeyMayStartWithSlash && key[0] is '/' or '\\')
        {
            throw new InvalidPresignRequestException($"An {provider.StoreKind} object key can't start with '/' or '\\'.", "key");
        }
    }

    public static void ValidateLifetime(TimeSpan lifetime, StoreProvider provider, bool withSecurityToken)
    {
        if (!provider.IsLifetimeAllowed(lifetime, withSecurityToken))
        {
            throw new InvalidPresignRequestException($"The URL lifetime must be {provider.LifetimeRule(withSecurityToken)} (got {lifetime:c}).", "lifetime");
        }
    }

    public static void ValidateBucket(BucketLocation location, StoreProvider provider)
    {
        if (provider.BucketProblem(location.Bucket) is { } problem)
        {
            throw new InvalidPresignRequestException(problem, nameof(location));
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
        if (!TextRules.HasControlCharacter(span) && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
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
