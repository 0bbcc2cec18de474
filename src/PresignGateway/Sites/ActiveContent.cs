namespace PresignGateway.Sites;

/// <summary>
/// Content a browser runs when it displays it inline on the download domain: HTML, XHTML, SVG, XML (XSLT, XHTML
/// namespaces) and JavaScript. Such content is never made inline by a query parameter, and is sandboxed (CSP) when a
/// site serves it inline.
/// </summary>
internal static class ActiveContent
{
    private static readonly string[] Extensions =
    [
        ".html", ".htm", ".shtml", ".xhtml", ".xht", ".mht", ".mhtml", ".svg", ".svgz", ".xml", ".xsl", ".xslt", ".rss", ".atom",
        ".js", ".mjs", ".cjs",
    ];

    private static readonly string[] MediaTypes =
    [
        "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/xsl", "multipart/related",
        "message/rfc822", "application/x-mimearchive", "text/javascript", "application/javascript", "application/x-javascript",
        "application/ecmascript", "text/ecmascript", "application/x-ecmascript", "text/jscript",
    ];

    /// <summary>True when a key or a download name ends in an extension of active content (any case).</summary>
    public static bool IsActiveName(string? name)
    {
        ReadOnlySpan<char> extension = Path.GetExtension(name.AsSpan());
        foreach (string active in Extensions)
        {
            if (extension.Equals(active, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a Content-Type is active, any <c>+xml</c> type included; a missing one counts as active (browsers may sniff it).</summary>
    public static bool IsActiveType(string? contentType)
    {
        ReadOnlySpan<char> type = contentType.AsSpan();
        int parameters = type.IndexOf(';');
        type = (parameters < 0 ? type : type[..parameters]).Trim();
        if (type.IsEmpty || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (string active in MediaTypes)
        {
            if (type.Equals(active, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
