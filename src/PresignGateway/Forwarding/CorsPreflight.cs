using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PresignGateway.Responses;
using PresignGateway.Sites;

namespace PresignGateway.Forwarding;

/// <summary>
/// Answers a CORS preflight (<c>OPTIONS</c> with Origin and Access-Control-Request-Method) for a site with CORS. Any
/// other request passes at the cost of one method comparison; other OPTIONS requests get the endpoint's 405.
/// </summary>
internal sealed class CorsPreflight(RequestDelegate next, SiteTableProvider sites, AccessLog accessLog)
{
    public Task InvokeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!string.Equals(request.Method, HttpMethods.Options, StringComparison.Ordinal)
            || StringValues.IsNullOrEmpty(request.Headers.Origin)
            || StringValues.IsNullOrEmpty(request.Headers.AccessControlRequestMethod)
            || sites.Current.Match(context) is not { Cors: { } cors } site)
        {
            return next(context);
        }

        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var labels = new DownloadLabels(site.Name, "preflight");
        if (!cors.Allows(request.Headers.Origin.ToString()))
        {
            // A 403 rather than a bare 204: the browser fails the fetch either way, but the developer looking at
            // the network panel sees why, in words, instead of a success that quietly lacks the allow headers.
            return RefuseAsync(context, labels, started);
        }

        cors.ApplyNow(context);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        accessLog.Write(context, labels, started);
        return Task.CompletedTask;
    }

    private async Task RefuseAsync(HttpContext context, DownloadLabels labels, long started)
    {
        await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Pages on this origin may not read downloads from this site.").ConfigureAwait(false);
        accessLog.Write(context, labels, started);
    }
}
