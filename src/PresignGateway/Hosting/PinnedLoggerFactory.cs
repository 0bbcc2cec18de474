namespace PresignGateway.Hosting;

/// <summary>
/// The logger factory with a pin that no logging configuration can lift: the framework categories that write request
/// targets or upstream URLs (a presigned URL, a signed link's <c>sig</c>) log nothing below Warning, and what they log
/// at Warning or above has every query string cut out.
/// </summary>
/// <remarks>
/// A filter rule (<c>AddFilter</c>) is not enough: configuration can beat it with a provider-specific rule
/// (<c>Logging:Console:LogLevel:Default</c>) or a longer category name. This wraps the loggers themselves.
/// </remarks>
internal sealed class PinnedLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>
    /// Categories (and their sub-categories) that write URLs or request targets:
    /// YARP's forwarder ("Proxying to http://...?x-oss-signature=..."), the hosting request-start and -finish lines
    /// (the full request URL, a signed link's sig included), HTTP logging, IHttpClientFactory's request lines and
    /// scopes, Kestrel's bad-request lines (it puts the raw request line in the message when they are enabled), and
    /// the minimal-API binder's debug lines (parameter values, query included).
    /// </summary>
    private static readonly string[] Pinned =
    [
        "Yarp.ReverseProxy",
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.W3CLogging",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "Microsoft.AspNetCore.Http.RequestDelegateFactory",
        "Microsoft.AspNetCore.Http.Result",
        "Microsoft.AspNetCore.HttpsPolicy",
        "Microsoft.AspNetCore.Rewrite",
        "System.Net.Http.HttpClient",
    ];

    public ILogger CreateLogger(string categoryName)
    {
        ILogger logger = inner.CreateLogger(categoryName);
        if (Presigning.SharedTierLogFilter.Applies(categoryName))
        {
            // HybridCache: its per-operation Redis failure lines give way to the outage log (RedisOutageLog).
            return new Presigning.SharedTierLogFilter(logger);
        }

        return IsPinned(categoryName) ? new PinnedLogger(logger, dropScopes: categoryName.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal)) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    internal static bool IsPinned(string category)
    {
        foreach (string pinned in Pinned)
        {
            if (category.StartsWith(pinned, StringComparison.Ordinal) && (category.Length == pinned.Length || category[pinned.Length] == '.'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces the query of every URL-like run in <paramref name="text"/>: from each <c>?</c> to the next white space or quote.</summary>
    internal static string RedactQueries(string text)
    {
        int question = text.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return text;
        }

        var redacted = new System.Text.StringBuilder(text.Length);
        int start = 0;
        while (question >= 0)
        {
            redacted.Append(text, start, question + 1 - start).Append("[redacted]");
            int end = question + 1;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('"' or '\'' or '<' or '>'))
            {
                end++;
            }

            start = end;
            question = end < text.Length ? text.IndexOf('?', end) : -1;
        }

        return redacted.Append(text, start, text.Length - start).ToString();
    }

    private sealed class PinnedLogger(ILogger inner, bool dropScopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            // The hosting scope holds the path, never the query, and other lines rely on it: pass it on. HttpClient's
            // scopes hold the whole request URI: drop them (they would decorate every line logged inside them).
            => dropScopes ? null : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The structured state (its arguments) is not passed on, only the redacted text; the exception, which may
            // quote a URL in its message, goes in as redacted text too.
            string message = RedactQueries(formatter(state, exception));
            if (exception is not null)
            {
                message += Environment.NewLine + RedactQueries(exception.ToString());
            }

            inner.Log(logLevel, eventId, message, null, static (text, _) => text);
        }
    }
}
