using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using PresignGateway.Sites;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// A store whose clock is far from ours: the gateway learns the offset from its Date header and signs on the store's
/// time. It moves the shared store's clock, so it runs alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class StoreClockTests(TestStore store)
{
    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.S3V4)]
    public async Task Store_clock_far_ahead_is_learned_from_its_date_header_and_signed_for(StoreKind kind)
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));
        (string key, byte[] content) = await UploadAsync(kind);
        await store.SetClockOffsetAsync(2 * 3600);
        try
        {
            // The store thinks our URLs (one hour of life) expired an hour ago: 403, then a retry on its clock.
            using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            SiteFinder.TryFind(gateway, TestSites.Prefix(kind, false), out Site site);
            Assert.InRange(site.Store.Clock.Offset.TotalSeconds, 7190, 7210);
            IReadOnlyList<RecordedRequest> received = await store.RequestsForAsync(key);
            Assert.Equal([403, 200], received.Select(r => r.Status));
            string signedAt = DateParameter(received[1].Url);
            DateTime signed = DateTime.ParseExact(signedAt, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.InRange((signed - DateTime.UtcNow).TotalSeconds, 7100, 7300);
        }
        finally
        {
            await store.SetClockOffsetAsync(0);
        }
    }

    private static string DateParameter(string rawTarget)
    {
        foreach (string part in rawTarget[(rawTarget.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&'))
        {
            if (part.StartsWith("x-oss-date=", StringComparison.Ordinal) || part.StartsWith("X-Amz-Date=", StringComparison.Ordinal))
            {
                return part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
        }

        throw new Xunit.Sdk.XunitException("No date parameter in " + rawTarget);
    }

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind)
    {
        string key = $"refused/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        await store.PutObjectAsync(TestSites.Bucket(kind), key, content);
        return (key, content);
    }
}
