using System.Buffers;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hardening;

/// <summary>What must never show in a log line, a proxied response header or a response body.</summary>
internal static class LeakChecks
{
    public static readonly string[] Markers =
    [
        "x-oss-signature", "X-Amz-Signature", "Signature=", "x-oss-credential", "X-Amz-Credential", "OSSAccessKeyId",
        TestStore.OssAccessKeySecret, TestStore.S3AccessKeySecret, TestStore.OssAccessKeyId, TestStore.S3AccessKeyId,
    ];

    private static readonly SearchValues<string> MarkerSearch = SearchValues.Create(Markers, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first marker in <paramref name="text"/>, or null.</summary>
    public static string? FindMarker(string text)
    {
        int at = text.AsSpan().IndexOfAny(MarkerSearch);
        return at < 0 ? null : Markers.First(m => text.AsSpan(at).StartsWith(m, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Fails when any captured log line of <paramref name="host"/> carries a marker or one of <paramref name="signatures"/>.</summary>
    public static void AssertCleanLogs(GatewayHost host, IEnumerable<string> signatures)
    {
        string[] forbidden = [.. Markers, .. signatures.Where(s => s.Length >= 16).Distinct(StringComparer.Ordinal)];
        SearchValues<string> search = SearchValues.Create(forbidden, StringComparison.OrdinalIgnoreCase);
        int lines = 0;
        foreach (string line in host.Logs.Lines)
        {
            lines++;
            int at = line.AsSpan().IndexOfAny(search);
            Assert.True(at < 0, $"A log line carries a secret or signature: {RawHttpConnection.Escape(line)}");
        }

        Assert.True(lines > 0, "The gateway logged nothing: the log check would prove nothing.");
    }

    /// <summary>The signatures in the raw targets the store received (x-oss-signature, X-Amz-Signature or V1's Signature).</summary>
    public static IEnumerable<string> SignaturesIn(IEnumerable<RecordedRequest> requests)
    {
        foreach (RecordedRequest request in requests)
        {
            int query = request.Url.IndexOf('?', StringComparison.Ordinal);
            if (query < 0)
            {
                continue;
            }

            foreach (string part in request.Url[(query + 1)..].Split('&'))
            {
                int equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && part[..equals] is "x-oss-signature" or "X-Amz-Signature" or "Signature")
                {
                    string signature = Uri.UnescapeDataString(part[(equals + 1)..]);
                    yield return signature;
                    if (signature != part[(equals + 1)..])
                    {
                        yield return part[(equals + 1)..];
                    }
                }
            }
        }
    }
}
