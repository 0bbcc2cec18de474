using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PresignGateway.Configuration;

namespace PresignGateway.Sites;

/// <summary>
/// A site's CORS policy, built once with the site table and evaluated by ASP.NET Core's <see cref="ICorsService"/>.
/// Scripts may read the download (GET, HEAD) and the headers that carry its name and size; nothing else is allowed:
/// no credentials, no other methods, only the conditional and range headers the gateway forwards.
/// </summary>
internal sealed class SiteCors
{
    /// <summary>What a page's script may read: the file name and the size, and what a resumed download needs.</summary>
    internal static readonly string[] ExposedHeaders =
        [HeaderNames.ContentDisposition, HeaderNames.ContentLength, HeaderNames.ContentRange, HeaderNames.AcceptRanges, HeaderNames.ETag, HeaderNames.LastModified];

    internal static readonly string[] AllowedHeaders = [HeaderNames.Range, HeaderNames.IfRange, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince];

    /// <summary>Browsers reuse a preflight for at most this long anyway (Chromium 2 hours, Firefox 24 hours).</summary>
    private static readonly TimeSpan LongestMaxAge = TimeSpan.FromDays(1);

    private static readonly TimeSpan DefaultMaxAge = TimeSpan.FromHours(1);

    private readonly ICorsService _service;

    private SiteCors(CorsPolicy policy, ICorsService service)
    {
        Policy = policy;
        _service = service;
    }

    public CorsPolicy Policy { get; }

    /// <summary>
    /// The CORS service the policies run on. Its own decision logs are Information per request; the response
    /// headers already say what it decided, so they go nowhere.
    /// </summary>
    public static ICorsService CreateService() => new CorsService(Options.Create(new CorsOptions()), NullLoggerFactory.Instance);

    /// <summary>Checks the settings and builds the policy; null, with the problems added, when they are wrong.</summary>
    public static SiteCors? Build(string path, SiteCorsOptions options, ICorsService service, List<string> errors)
    {
        int errorsBefore = errors.Count;
        var builder = new CorsPolicyBuilder()
            .WithMethods(HttpMethods.Get, HttpMethods.Head)
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders);
        if (options.AllowedOrigins.Count == 0)
        {
            errors.Add($"{path}:AllowedOrigins is empty: list the origins whose pages may fetch downloads (such as https://app.example.com), or '*' for any; or remove {path}.");
        }
        else if (options.AllowedOrigins.Exists(origin => origin?.Trim() == "*"))
        {
            if (options.AllowedOrigins.Count > 1)
            {
                errors.Add($"{path}:AllowedOrigins has '*' and other origins: '*' allows every origin, so give it alone.");
            }

            builder.AllowAnyOrigin();
        }
        else
        {
            var origins = new List<string>();
            foreach (string? origin in options.AllowedOrigins)
            {
                if (Normalise(origin) is { } normalised)
                {
                    origins.Add(normalised);
                }
                else
                {
                    errors.Add($"{path}:AllowedOrigins has '{origin}': write an origin as a browser sends it, scheme://host[:port] with http or https and no path, such as https://app.example.com.");
                }
            }

            builder.WithOrigins([.. origins]);
        }

        TimeSpan maxAge = options.MaxAge ?? DefaultMaxAge;
        if (maxAge < TimeSpan.Zero || maxAge > LongestMaxAge)
        {
            errors.Add($"{path}:MaxAge '{maxAge}' must be between 00:00:00 and 1.00:00:00 (browsers cap it: Chromium at 2 hours, Firefox at 24 hours).");
        }

        return errors.Count != errorsBefore ? null : new SiteCors(builder.SetPreflightMaxAge(maxAge).Build(), service);
    }

    /// <summary>
    /// For a download answer (success, redirect or error): the CORS headers, when the request has an Origin. Error
    /// answers clear the headers before they write, so the headers are added when the response starts.
    /// </summary>
    public void Apply(HttpContext context)
    {
        if (StringValues.IsNullOrEmpty(context.Request.Headers.Origin))
        {
            // The same URL answers other origins differently: a shared cache must key on Origin (an answer stored
            // from curl, without Allow-Origin, would otherwise fail every page).
            if (!Policy.AllowAnyOrigin)
            {
                context.Response.Headers.Vary = HeaderNames.Origin;
            }

            return;
        }

        context.Response.OnStarting(
            static state =>
            {
                (SiteCors cors, HttpContext context) = ((SiteCors, HttpContext))state;
                cors.ApplyNow(context);
                return Task.CompletedTask;
            },
            (this, context));
    }

    /// <summary>True when the request's Origin may read this site.</summary>
    public bool Allows(string origin) => Policy.AllowAnyOrigin || Policy.IsOriginAllowed(origin);

    /// <summary>Evaluates the policy for the request (actual or preflight) and writes its headers.</summary>
    public void ApplyNow(HttpContext context)
    {
        CorsResult result = _service.EvaluatePolicy(context, Policy);
        _service.ApplyResult(result, context.Response);
        if (!Policy.AllowAnyOrigin && !VariesByOrigin(context.Response.Headers.Vary))
        {
            context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }
    }

    private static bool VariesByOrigin(StringValues vary)
    {
        foreach (string? value in vary)
        {
            if (value is not null && value.Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>scheme://host[:port]</c>, lower-case and without a default port, as browsers serialise an origin; null when it isn't one.</summary>
    private static string? Normalise(string? origin)
    {
        origin = origin?.Trim();
        if (string.IsNullOrEmpty(origin) || origin.EndsWith('/')
            || !Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || origin.Contains('*', StringComparison.Ordinal))
        {
            return null;
        }

        return uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped).ToLowerInvariant();
    }
}
