using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Listing;

/// <summary>
/// The HTML listing: "Index of /path/", a breadcrumb, a parent link, a real table (folders first, then files, with
/// size and last modified) and a "Next page" link. It loads nothing, its Content-Security-Policy allows only its own
/// inline style, by hash, and it is readable on a phone. Every name is HTML-escaped with its invisible characters shown
/// (<see cref="VisibleName"/>); every link is percent-encoded from the decoded name.
/// </summary>
internal static class ListingHtml
{
    private const string Style =
        ":root{color-scheme:light dark}body{font:1rem/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}"
        + "h1{font-size:1.4rem;margin:0 0 .5rem;overflow-wrap:anywhere}nav{margin:.5rem 0}table{border-collapse:collapse;width:100%}"
        + "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #8884;vertical-align:top}td:first-child{overflow-wrap:anywhere}"
        + "td.n,th.n{text-align:right;white-space:nowrap}td.d{white-space:nowrap}@media(max-width:40rem){td.d,th.d{display:none}}";

    /// <summary>Nothing may load, run, frame the page or be submitted from it; the style is allowed by its hash alone.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page as UTF-8, encoded straight from the builder's chunks (no intermediate string).</summary>
    public static byte[] RenderUtf8(in ListingView view)
    {
        StringBuilder html = Build(view);
        Encoder encoder = Encoding.UTF8.GetEncoder();
        int length = 0;
        foreach (ReadOnlyMemory<char> chunk in html.GetChunks())
        {
            length += encoder.GetByteCount(chunk.Span, flush: false);
        }

        length += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        byte[] bytes = new byte[length];
        int at = 0;
        foreach (ReadOnlyMemory<char> chunk in html.GetChunks())
        {
            at += encoder.GetBytes(chunk.Span, bytes.AsSpan(at), flush: false);
        }

        encoder.GetBytes([], bytes.AsSpan(at), flush: true);
        return bytes;
    }

    public static string Render(in ListingView view) => Build(view).ToString();

    private static StringBuilder Build(in ListingView view)
    {
        var html = new StringBuilder(2048 + (view.Page.Entries.Length * 320));
        string title = "Index of " + VisibleName.Of(view.Path);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").AppendHtml(title).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n<h1>").AppendHtml(title).Append("</h1>\n");
        AppendBreadcrumb(html, view);
        html.Append("<table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\" class=\"n\">Size</th><th scope=\"col\" class=\"d\">Last modified (UTC)</th></tr></thead>\n<tbody>\n");
        if (!view.IsRoot)
        {
            string parent = view.Path[..(view.Path.LastIndexOf('/', view.Path.Length - 2) + 1)];
            html.Append("<tr><td><a href=\"");
            AppendLink(html, view, parent, null, directory: false);
            html.Append("\" rel=\"up\">../</a></td><td class=\"n\">-</td><td class=\"d\"></td></tr>\n");
        }

        // Numbers and dates are formatted on the stack: a page has up to a thousand of each.
        Span<char> text = stackalloc char[32];
        foreach (ListingEntry entry in view.Page.Entries)
        {
            html.Append("<tr><td><a href=\"");
            AppendLink(html, view, view.Path, entry.Name, entry.IsDirectory);
            html.Append("\">").AppendHtml(entry.Name.Length == 0 ? "(no name)" : VisibleName.Of(entry.Name));
            if (entry.IsDirectory)
            {
                html.Append("/</a></td><td class=\"n\">-</td><td class=\"d\"></td></tr>\n");
                continue;
            }

            entry.Size.TryFormat(text, out int written, "N0", CultureInfo.InvariantCulture);
            html.Append("</a></td><td class=\"n\" title=\"").Append(text[..written]).Append(" bytes\">");
            html.Append(text[..ListingText.FormatHumanSize(entry.Size, text)]).Append("</td><td class=\"d\">");
            if (entry.LastModified is { } modified)
            {
                ReadOnlySpan<char> date = text[..ListingText.FormatIsoDate(modified, text)];
                html.Append("<time datetime=\"").Append(date).Append("\">").Append(date).Append("</time>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        if (view.Page.Entries.Length == 0)
        {
            html.Append("<p>This folder is empty.</p>\n");
        }

        if (view.NextCursor is { } next)
        {
            html.Append("<nav aria-label=\"Pages\"><a rel=\"next\" href=\"?page=").AppendPercentEncoded(next, keepSlash: false);
            if (view.Signer is { } signer)
            {
                html.Append("&amp;").AppendHtml(signer.QueryFor(view.Path));
            }

            html.Append("\">Next page</a></nav>\n");
        }

        return html.Append("</main>\n</body>\n</html>\n");
    }

    /// <summary>The site's root, then each folder below it, each a link but the last.</summary>
    private static void AppendBreadcrumb(StringBuilder html, in ListingView view)
    {
        html.Append("<nav aria-label=\"Breadcrumb\">");
        int end = view.Root.Length;
        html.Append("<a href=\"");
        AppendLink(html, view, view.Root, null, directory: false);
        html.Append("\">").AppendHtml(VisibleName.Of(view.Root)).Append("</a>");
        while (end < view.Path.Length)
        {
            int next = view.Path.IndexOf('/', end) + 1;
            string segment = view.Path[end..next];
            if (next == view.Path.Length)
            {
                html.Append("<span aria-current=\"page\">").AppendHtml(VisibleName.Of(segment)).Append("</span>");
            }
            else
            {
                html.Append("<a href=\"");
                AppendLink(html, view, view.Path[..next], null, directory: false);
                html.Append("\">").AppendHtml(VisibleName.Of(segment)).Append("</a>");
            }

            end = next;
        }

        html.Append("</nav>\n");
    }

    /// <summary>An absolute-path link to <paramref name="directory"/> + <paramref name="name"/>, percent-encoded, signed when the site signs links.</summary>
    private static void AppendLink(StringBuilder html, in ListingView view, string directoryPath, string? name, bool directory)
    {
        html.AppendPercentEncoded(directoryPath, keepSlash: true);
        if (name is not null)
        {
            html.AppendPercentEncoded(name, keepSlash: false);
            if (directory)
            {
                html.Append('/');
            }
        }

        if (view.Signer is { } signer)
        {
            string decoded = name is null ? directoryPath : directoryPath + name + (directory ? "/" : "");
            html.Append('?').AppendHtml(signer.QueryFor(decoded));
        }
    }
}
