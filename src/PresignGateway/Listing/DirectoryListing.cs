using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using PresignGateway.Diagnostics;
using PresignGateway.Responses;
using PresignGateway.Sites;
using PresignGateway.Stores;

namespace PresignGateway.Listing;

/// <summary>
/// A directory request, top to bottom (<see cref="ServeAsync"/>): index document if the directory holds one ->
/// listing if the site lists -> 404. And append-slash (<see cref="TryAppendSlashAsync"/>): a missing object's path
/// with something under <c>path/</c> is redirected there. The store's answers are cached (<see cref="ListingCache"/>).
/// </summary>
internal sealed class DirectoryListing(StoreLister lister, ListingCache cache, ILogger<DirectoryListing> logger)
{
    public const string PageParameter = "page";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ListingCacheKey, Task<ListingPage>> _inFlight = new();

    private static readonly object Yes = true;
    private static readonly object No = false;

    /// <summary>Answers the directory, or returns the key of its index document for the caller to serve like any object.</summary>
    public async ValueTask<string?> ServeAsync(HttpContext context, DownloadPlan plan, DateTimeOffset now)
    {
        Site site = plan.Site;
        SiteDirectories directories = site.Directories!;
        CancellationToken aborted = context.RequestAborted;
        try
        {
            // An index key the gateway wouldn't serve (too long for the store) can't be the directory's page.
            if (directories.IndexDocument is { } index && ObjectKeyRules.Check(plan.Key + index) is null
                && await ExistsAsync(site, plan.Key + index, now, aborted).ConfigureAwait(false))
            {
                return plan.Key + index;
            }

            if (!directories.Listing)
            {
                await WriteNotFoundAsync(context, site).ConfigureAwait(false);
                return null;
            }

            IQueryCollection query = context.Request.Query;
            if (!ListingFormat.TryChoose(query, context.Request.Headers.Accept, out bool json, out string? problem)
                || !TryReadCursor(site, plan.Key, query, out string? token, out problem))
            {
                Log.ListingBadRequest(logger, site.Name, problem!);
                await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, problem!).ConfigureAwait(false);
                return null;
            }

            ListingPage page = await PageAsync(site, plan.Key, token, now, aborted).ConfigureAwait(false);
            string root = site.PathPrefix + "/";
            if (page.Entries.Length == 0 && token is null && plan.Path != root)
            {
                // Nothing under it: no directory. The root lists as empty, so a new site shows a page, not an error.
                await WriteNotFoundAsync(context, site).ConfigureAwait(false);
                return null;
            }

            string? next = page.NextToken is { } nextToken ? ListingCursor.Encode(site.Store, site.Name, plan.Key, nextToken) : null;
            var view = new ListingView(plan.Path, root, page, next, Signer(context, site));
            await WriteAsync(context, site, json ? ListingJson.Render(view) : ListingHtml.RenderUtf8(view), json).ConfigureAwait(false);
            return null;
        }
        catch (ListingException e)
        {
            await ProblemResponses.WriteAsync(context, e.Status, e.Message).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Log.ClientAborted(logger, site.Name);
            return null;
        }
    }

    /// <summary>
    /// For a missing object's path on a site with AppendSlash: a 302 to the path plus '/' (query kept) when something
    /// is under it, and true; false when nothing is, for the caller's 404.
    /// </summary>
    public async ValueTask<bool> TryAppendSlashAsync(HttpContext context, DownloadPlan plan, DateTimeOffset now)
    {
        Site site = plan.Site;
        try
        {
            // The site's root without its slash ("/downloads" of "/downloads/") maps to KeyPrefix itself, and always lists.
            bool root = plan.Path == site.PathPrefix;
            if (!(root && site.Directories!.Listing) && !await HasEntriesAsync(site, root ? plan.Key : plan.Key + "/", now, context.RequestAborted).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (ListingException)
        {
            // The object's 404 stands: the probe was a courtesy.
            return false;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        string location = RequestPath.PathOf(rawTarget).ToString() + "/";
        if (site.Protection.RequiresSignedLinks && Signer(context, site) is { } signer)
        {
            // The client's link was signed for the path without '/': sign the new one until the same time.
            location += "?" + signer.QueryFor(plan.Path + "/");
        }
        else
        {
            location += context.Request.QueryString.Value;
        }

        HttpResponse response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = location;
        response.Headers.CacheControl = CacheControl(site);
        response.ContentLength = 0;
        return true;
    }

    /// <summary>Whether the object exists, cached like a listing; for redirect mode, which never sees the store's 404.</summary>
    public async ValueTask<bool> ObjectExistsAsync(HttpContext context, DownloadPlan plan, DateTimeOffset now)
    {
        try
        {
            return await ExistsAsync(plan.Site, plan.Key, now, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ListingException)
        {
            // Let the redirect happen: the store will say what it says.
            return true;
        }
    }

    /// <summary>
    /// The page from the cache, else from the store. Concurrent misses for one page share one store request, which
    /// no single client's abort cancels (the upstream timeout bounds it); each client waits with its own token.
    /// </summary>
    private async Task<ListingPage> PageAsync(Site site, string prefix, string? token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = new ListingCacheKey(site.Name, site.Store, ListingQuestion.Page, prefix, token);
        if (cache.TryGet(key, now, out object cached))
        {
            return (ListingPage)cached;
        }

        var mine = new TaskCompletionSource<ListingPage>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ListingPage> shared = _inFlight.GetOrAdd(key, mine.Task);
        if (shared == mine.Task)
        {
            _ = FetchPageAsync(site, key, now, mine);
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FetchPageAsync(Site site, ListingCacheKey key, DateTimeOffset now, TaskCompletionSource<ListingPage> result)
    {
        try
        {
            ListingPage page = await lister.ListAsync(site.Store, key.Prefix, site.Directories!.PageSize, key.Token, now, CancellationToken.None).ConfigureAwait(false);
            cache.Set(key, page, page.Cost, now + site.Directories.CacheDuration, now);
            result.SetResult(page);
        }
        catch (Exception e)
        {
            result.SetException(e);
            // Seen here, so a failure nobody waits for any more (every client gone) is not an unobserved exception.
            _ = result.Task.Exception;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<ListingCacheKey, Task<ListingPage>>(key, result.Task));
        }
    }

    private async Task<bool> ExistsAsync(Site site, string objectKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = new ListingCacheKey(site.Name, site.Store, ListingQuestion.ObjectExists, objectKey, null);
        if (cache.TryGet(key, now, out object cached))
        {
            return (bool)cached;
        }

        bool exists = await lister.ExistsAsync(site.Store, objectKey, now, cancellationToken).ConfigureAwait(false);
        cache.Set(key, exists ? Yes : No, 0, now + site.Directories!.CacheDuration, now);
        return exists;
    }

    private async Task<bool> HasEntriesAsync(Site site, string prefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = new ListingCacheKey(site.Name, site.Store, ListingQuestion.HasEntries, prefix, null);
        if (cache.TryGet(key, now, out object cached))
        {
            return (bool)cached;
        }

        // Two keys: the folder's own marker object ("path/") alone doesn't make a directory.
        ListingPage page = await lister.ListAsync(site.Store, prefix, 2, null, now, cancellationToken).ConfigureAwait(false);
        bool any = page.Entries.Length > 0;
        cache.Set(key, any ? Yes : No, 0, now + site.Directories!.CacheDuration, now);
        return any;
    }

    private static bool TryReadCursor(Site site, string prefix, IQueryCollection query, out string? token, out string? problem)
    {
        token = null;
        problem = null;
        StringValues page = query[PageParameter];
        if (page.Count == 0 || (page.Count == 1 && string.IsNullOrEmpty(page[0])))
        {
            return true;
        }

        if (page.Count > 1)
        {
            problem = "The page parameter is repeated.";
            return false;
        }

        if (!ListingCursor.TryDecode(site.Store, site.Name, prefix, page[0]!, out string decoded))
        {
            problem = "The page cursor is not valid for this directory: follow the listing's Next page link.";
            return false;
        }

        token = decoded;
        return true;
    }

    private static ListingLinkSigner? Signer(HttpContext context, Site site)
    {
        // Admission has verified the link, so 'expires' is there and a number.
        if (!site.Protection.RequiresSignedLinks
            || !long.TryParse(context.Request.Query["expires"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long expiresAt))
        {
            return null;
        }

        return new ListingLinkSigner(site.Protection.LinkSecrets[0], context.Request.Host.Host, expiresAt);
    }

    /// <summary>A CDN may keep a listing as long as the gateway does; a protected site's stay private.</summary>
    private static string CacheControl(Site site)
        => site.Protection.RestrictsAccess
            ? "private"
            : "public, max-age=" + ((long)site.Directories!.CacheDuration.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static Task WriteNotFoundAsync(HttpContext context, Site site)
        => ProblemResponses.WriteNotFoundAsync(context, "There is no such directory.", site.NotFoundCacheControl);

    private static Task WriteAsync(HttpContext context, Site site, byte[] body, bool json)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = json ? "application/json; charset=utf-8" : "text/html; charset=utf-8";
        response.Headers.CacheControl = CacheControl(site);
        response.Headers.Vary = "Accept";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!json)
        {
            response.Headers.ContentSecurityPolicy = ListingHtml.ContentSecurityPolicy;
        }

        response.ContentLength = body.Length;
        return ProblemResponses.IsHead(context) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
