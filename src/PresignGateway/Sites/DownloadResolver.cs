using Microsoft.Extensions.Primitives;
using PresignGateway.Configuration;
using PresignGateway.Signing;

namespace PresignGateway.Sites;

/// <summary>
/// Host + raw request target + query -> site, object key, download name and overrides. Pure: no I/O. The key is the
/// site's KeyPrefix plus the path after the site's prefix, percent-decoded exactly once; an alias maps an exact path.
/// </summary>
internal static class DownloadResolver
{
    public static bool TryResolve(
        SiteTable table, string host, string rawTarget, IQueryCollection query, out DownloadPlan plan, out int status, out string detail)
    {
        plan = default;
        if (!RequestPath.TryDecode(RequestPath.PathOf(rawTarget), out string path, out string? decodeError))
        {
            return Fail(StatusCodes.Status400BadRequest, decodeError!, out status, out detail);
        }

        if (path.Length == 0 || path[0] != '/')
        {
            return Fail(StatusCodes.Status400BadRequest, "The request target is not a path.", out status, out detail);
        }

        Site? site = table.Match(host, path);
        if (site is null)
        {
            return table.ServesHost(host)
                ? Fail(StatusCodes.Status404NotFound, "No site serves this path on this host.", out status, out detail)
                : Fail(StatusCodes.Status421MisdirectedRequest, "This host is not served here.", out status, out detail);
        }

        string key;
        string? fileName = null;
        string? versionId = null;
        if (site.Aliases.TryGetValue(path, out SiteAlias? alias))
        {
            key = alias.Key;
            fileName = alias.FileName;
            versionId = alias.VersionId;
        }
        else
        {
            ReadOnlySpan<char> rest = path.AsSpan(site.PathPrefix.Length);
            if (rest.StartsWith('/'))
            {
                rest = rest[1..];
            }

            key = string.Concat(site.KeyPrefix, rest);
            if (site.Directories is not null && path.EndsWith('/'))
            {
                // A directory: the key is a prefix to list, so it may be empty; "x" stands for the names under it.
                if (key.Length > 0 && ObjectKeyRules.Check(key + "x") is { } prefixProblem)
                {
                    return Fail(StatusCodes.Status400BadRequest, prefixProblem, out status, out detail);
                }

                plan = new DownloadPlan(site, path, key, "", DispositionType.Inline, null, null, CacheControl: site.CacheControlFor(path), Directory: true);
                status = StatusCodes.Status200OK;
                detail = "";
                return true;
            }
        }

        if (ObjectKeyRules.Check(key) is { } keyProblem)
        {
            return Fail(StatusCodes.Status400BadRequest, keyProblem, out status, out detail);
        }

        DispositionType disposition = site.Disposition;
        string? imageProcess = null;
        if (site.AllowsFileName)
        {
            if (!TrySingle(query, ClientQueryNames.FileName, out string? requestedName, out status, out detail))
            {
                return false;
            }

            if (requestedName is not null)
            {
                fileName = DownloadFileName.Clean(requestedName);
                if (fileName is null)
                {
                    return Fail(StatusCodes.Status400BadRequest, "The filename parameter has no usable name left after removing paths and control characters.", out status, out detail);
                }
            }

        }

        // 'download' comes with 'filename'; 'inline' is allowed on its own, since it can make a page run on this domain.
        bool download = site.AllowsFileName && query.ContainsKey(ClientQueryNames.Download);
        bool inline = site.AllowsInline && query.ContainsKey(ClientQueryNames.Inline);
        if (download && inline)
        {
            return Fail(StatusCodes.Status400BadRequest, "Give either download or inline, not both.", out status, out detail);
        }

        bool inlineByQuery = false;
        if (download)
        {
            disposition = DispositionType.Attachment;
        }
        else if (inline && disposition != DispositionType.Inline)
        {
            // Redirect mode signs the disposition before anyone sees the object, so the names decide here; proxy
            // mode checks the store's Content-Type as well. Active content stays an attachment.
            if (!ActiveContent.IsActiveName(key) && !ActiveContent.IsActiveName(fileName ?? DownloadFileName.FromKey(key)))
            {
                disposition = DispositionType.Inline;
                inlineByQuery = true;
            }
        }

        if (site.AllowsVersionId && alias is null)
        {
            if (!TrySingle(query, ClientQueryNames.VersionId, out versionId, out status, out detail))
            {
                return false;
            }
        }

        if (site.AllowsImageProcessing && !TrySingle(query, ClientQueryNames.ImageProcess, out imageProcess, out status, out detail))
        {
            return false;
        }

        if (TextRules.HasControlCharacter(versionId) || TextRules.HasControlCharacter(imageProcess))
        {
            return Fail(StatusCodes.Status400BadRequest, "A query parameter contains a control character.", out status, out detail);
        }

        plan = new DownloadPlan(
            site, path, key, fileName ?? DownloadFileName.FromKey(key), disposition, versionId, imageProcess, inlineByQuery,
            alias?.CacheControl ?? site.CacheControlFor(path));
        status = StatusCodes.Status200OK;
        detail = "";
        return true;
    }

    /// <summary>Reads an optional parameter that may appear once; an empty value counts as absent.</summary>
    private static bool TrySingle(IQueryCollection query, string name, out string? value, out int status, out string detail)
    {
        value = null;
        StringValues values = query[name];
        if (values.Count > 1)
        {
            return Fail(StatusCodes.Status400BadRequest, $"The {name} parameter is repeated.", out status, out detail);
        }

        value = StringValues.IsNullOrEmpty(values) ? null : values.ToString();
        status = StatusCodes.Status200OK;
        detail = "";
        return true;
    }

    private static bool Fail(int failureStatus, string failureDetail, out int status, out string detail)
    {
        status = failureStatus;
        detail = failureDetail;
        return false;
    }
}
