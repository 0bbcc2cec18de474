using System.Diagnostics;

namespace PresignGateway.Diagnostics;

/// <summary>
/// The gateway's activity source and the rules its traces follow: health endpoints make no spans, and URL query
/// strings are never recorded (a presigned URL is a credential), so the upstream span keeps scheme, host and path only.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ActivitySourceName = "PresignGateway";

    /// <summary>One span per download; immutable, so static is fine.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    // /metrics is not here: on the download listeners it is an ordinary download path.
    public static readonly string[] QuietPaths = ["/healthz", "/readyz"];

    public static bool IsQuietPath(PathString path)
    {
        foreach (string quiet in QuietPaths)
        {
            if (path.Equals(quiet, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps the store's scheme, host and path on the span and drops the signed query.</summary>
    public static void RedactQuery(Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is { } uri)
        {
            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
            activity.SetTag("url.query", null);
        }
    }
}
