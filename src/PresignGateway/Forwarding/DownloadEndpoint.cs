using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Listing;
using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Stores;

namespace PresignGateway.Forwarding;

/// <summary>
/// One download, top to bottom (<see cref="ServeAsync"/>): method -> site and key -> protection and rate limit
/// (<see cref="DownloadAdmission"/>) -> presigned URL (cached) -> 302 redirect, or stream from the store
/// (<see cref="StoreForwarding"/>) -> outcome (<see cref="DownloadOutcomes"/>). Time is read once, on arrival.
/// </summary>
internal sealed class DownloadEndpoint(
    SiteTableProvider sites, DownloadAdmission admission, PresignedUrlCache cache, StoreForwarding forwarding, DownloadOutcomes outcomes,
    AccessLog accessLog, DirectoryListing directories, TimeProvider time, ILogger<DownloadEndpoint> logger)
{
    private readonly ContentDispositionCache _dispositions = new();

    public async Task HandleAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = GatewayTelemetry.ActivitySource.StartActivity("presign_gateway.download");
        DownloadLabels labels = DownloadLabels.None;
        bool failed = true;
        try
        {
            labels = await ServeAsync(context, time.GetUtcNow(), activity).ConfigureAwait(false);
            failed = false;
        }
        finally
        {
            outcomes.Record(context, activity, labels);
            accessLog.Write(context, labels, started, failed);
        }
    }

    // Pooled builders: the state machines of a download that waits on the store are reused, not allocated each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DownloadLabels> ServeAsync(HttpContext context, DateTimeOffset now, Activity? activity)
    {
        if (!TryReadMethod(context.Request, out PresignMethod method, out Rejection rejection)
            || !TryResolve(context, out DownloadPlan plan, out rejection))
        {
            await rejection.WriteAsync(context).ConfigureAwait(false);
            return DownloadLabels.None;
        }

        Site site = plan.Site;
        site.Cors?.Apply(context);
        bool redirect = site.Mode == DeliveryMode.Redirect;
        var labels = new DownloadLabels(site.Name, redirect ? "redirect" : "proxy");
        if (!admission.TryAdmit(context, plan, now, out rejection))
        {
            await rejection.WriteAsync(context).ConfigureAwait(false);
            return labels;
        }

        if (plan.Directory)
        {
            // A directory: its index document (served below like any object, inline), else its listing, else 404.
            if (await directories.ServeAsync(context, plan, now).ConfigureAwait(false) is not { } index)
            {
                return labels;
            }

            plan = plan with { Key = index, FileName = DownloadFileName.FromKey(index), Disposition = DispositionType.Inline, Directory = false };
        }

        bool appendSlash = site.Directories?.AppendSlash == true && plan.VersionId is null && !site.Aliases.ContainsKey(plan.Path) && !plan.Path.EndsWith('/');
        if (appendSlash && redirect && !await directories.ObjectExistsAsync(context, plan, now).ConfigureAwait(false))
        {
            // Redirect mode never sees the store's 404: ask first (cached), then offer the directory.
            if (!await directories.TryAppendSlashAsync(context, plan, now).ConfigureAwait(false))
            {
                await ProblemResponses.WriteNotFoundAsync(context, "There is no such file.", site.NotFoundCacheControl).ConfigureAwait(false);
            }

            return labels;
        }

        activity?.SetTag("presign_gateway.site", site.Name);
        activity?.SetTag("presign_gateway.store", site.Store.Name);
        activity?.SetTag("presign_gateway.mode", labels.Mode);
        // The keys are read once: the cache key and the signature use the same set, even across a refresh.
        if (!TryGetCredentials(site.Store, now, out StoreCredentials? credentials, out rejection))
        {
            await rejection.WriteAsync(context).ConfigureAwait(false);
            return labels;
        }

        string disposition = _dispositions.Format(plan.Disposition, plan.FileName);
        var target = new PresignTarget(
            site.Store, credentials, method, plan.Key, plan.VersionId,
            // In redirect mode the store itself answers the download, so the name travels signed inside the URL.
            redirect ? disposition : null,
            plan.ImageProcess);

        CacheLookup lookup;
        try
        {
            lookup = await cache.GetAsync(target, now, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidPresignRequestException e)
        {
            Log.BadRequest(logger, site.Name, e.Reason);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, e.Reason).ConfigureAwait(false);
            return labels;
        }
        catch (CredentialsUnavailableException)
        {
            // The keys expired between the check above and the signing.
            Log.CredentialsUnavailable(logger, site.Store.Name, site.Store.CredentialSource.Description, "expired");
            await CredentialsRejection(expired: true).WriteAsync(context).ConfigureAwait(false);
            return labels;
        }

        activity?.SetTag("presign_gateway.cache", lookup.Tier switch { CacheTier.Memory => "hit_memory", CacheTier.Shared => "hit_shared", _ => "miss" });
        labels = labels with { Cache = lookup.Tier switch { CacheTier.Memory => "memory", CacheTier.Shared => "shared", _ => "signed" } };
        if (redirect)
        {
            WriteRedirect(context.Response, lookup.Url, site, now);
        }
        else
        {
            bool notFound = await forwarding.ForwardAsync(context, site, target, lookup.Url, disposition, plan.CacheControl, Inline(plan), now, activity, appendSlash).ConfigureAwait(false);
            if (notFound && !await directories.TryAppendSlashAsync(context, plan, now).ConfigureAwait(false))
            {
                await ProblemResponses.WriteNotFoundAsync(context, DownloadStatus.ForStore(StatusCodes.Status404NotFound).Detail!, site.NotFoundCacheControl).ConfigureAwait(false);
            }
        }

        return labels;
    }

    /// <summary>
    /// The store's keys, or a 503 with Retry-After while it has none that are valid (not fetched yet, or expired while
    /// the refresh fails): the client may retry, and no URL is signed with keys the store would refuse.
    /// </summary>
    private bool TryGetCredentials(Store store, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreCredentials? credentials, out Rejection rejection)
    {
        credentials = store.CredentialSource.Latest;
        if (credentials is not null && !store.HasExpired(credentials, now))
        {
            rejection = default;
            return true;
        }

        Log.CredentialsUnavailable(logger, store.Name, store.CredentialSource.Description, credentials is null ? "not fetched yet" : "expired");
        rejection = CredentialsRejection(expired: credentials is not null);
        return false;
    }

    private static Rejection CredentialsRejection(bool expired) => new(
        StatusCodes.Status503ServiceUnavailable,
        expired
            ? "The credentials for this store have expired and could not be refreshed yet; try again shortly."
            : "The credentials for this store are not available yet; try again shortly.",
        RetryAfterSeconds: 5);

    private static bool TryReadMethod(HttpRequest request, out PresignMethod method, out Rejection rejection)
    {
        // Methods are case-sensitive (RFC 9110): HttpMethods.IsHead would take "head", which Kestrel treats as a
        // method with a body, for HEAD. Kestrel interns the known methods, so these usually end at the reference check.
        rejection = default;
        if (string.Equals(request.Method, HttpMethods.Get, StringComparison.Ordinal))
        {
            method = PresignMethod.Get;
            return true;
        }

        if (string.Equals(request.Method, HttpMethods.Head, StringComparison.Ordinal))
        {
            method = PresignMethod.Head;
            return true;
        }

        method = default;
        rejection = new(StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD are supported.");
        return false;
    }

    private bool TryResolve(HttpContext context, out DownloadPlan plan, out Rejection rejection)
    {
        HttpRequest request = context.Request;
        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        // Most downloads have no query string: skip building the query collection for them.
        IQueryCollection query = request.QueryString.HasValue ? request.Query : QueryCollection.Empty;
        bool resolved = DownloadResolver.TryResolve(sites.Current, request.Host.Host, rawTarget, query, out plan, out int status, out string detail);
        rejection = resolved ? default : new(status, detail);
        return resolved;
    }

    /// <summary>For inline downloads: what keeps active content from running (see <see cref="DownloadHeaders.GuardInline"/>).</summary>
    private InlineGuard Inline(in DownloadPlan plan) => plan.Disposition != DispositionType.Inline ? default : new InlineGuard(
        true,
        ActiveContent.IsActiveName(plan.Key) || ActiveContent.IsActiveName(plan.FileName),
        plan.InlineByQuery ? _dispositions.Format(DispositionType.Attachment, plan.FileName) : null);

    private void WriteRedirect(HttpResponse response, CachedPresignedUrl url, Site site, DateTimeOffset now)
    {
        // Let the client (or a cache) reuse the redirect only while the URL still has its refresh margin left.
        Store store = site.Store;
        TimeSpan usable = url.ExpiresAt - cache.RefreshMargin(store.UrlLifetime) - store.Now(now);
        long maxAge = Math.Max(0, (long)usable.TotalSeconds);
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = url.Url;
        response.Headers.CacheControl = site.RedirectCacheControl.Format(maxAge);
        response.ContentLength = 0;
    }
}
