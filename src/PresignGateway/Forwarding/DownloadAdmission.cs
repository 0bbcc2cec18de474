using PresignGateway.Protection;
using PresignGateway.Sites;

namespace PresignGateway.Forwarding;

/// <summary>The site's protection (referer, signed link, ...) and then the client rate limit, before any signing.</summary>
internal sealed class DownloadAdmission(DownloadRateLimiter rateLimiter)
{
    public bool TryAdmit(HttpContext context, in DownloadPlan plan, DateTimeOffset now, out Rejection rejection)
    {
        if (plan.Site.Protection.Check(context, plan.Path, now) is { } refusal)
        {
            rejection = new(StatusCodes.Status403Forbidden, refusal);
            return false;
        }

        if (!rateLimiter.TryAcquire(context, plan.Site, out TimeSpan retryAfter))
        {
            rejection = new(StatusCodes.Status429TooManyRequests, "Too many requests; try again later.", (long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds)));
            return false;
        }

        rejection = default;
        return true;
    }
}
