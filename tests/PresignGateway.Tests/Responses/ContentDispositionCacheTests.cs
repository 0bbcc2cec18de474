using PresignGateway.Configuration;
using PresignGateway.Responses;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Responses;

/// <summary>The formatted-name cache stays within its bytes under a flood of long names, and still remembers.</summary>
/// <remarks>Alone: the heap measurement would count what tests running beside it allocate.</remarks>
[Collection(RunsAlone.Name)]
public sealed class ContentDispositionCacheTests
{
    [Fact]
    public void A_flood_of_long_names_stays_within_the_byte_bound()
    {
        var cache = new ContentDispositionCache();
        string stem = new('报', 200);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 20_000; i++)
        {
            cache.Format(DispositionType.Attachment, stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(cache.Bytes <= ContentDispositionCache.MaxBytes, $"{cache.Bytes} bytes accounted after {i + 1} names");
        }

        long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(cache);
        // 20,000 names of ~4.5 KB would be 90 MB unbounded; the bound keeps what the cache holds to a few MB.
        Assert.True(retained < 3 * ContentDispositionCache.MaxBytes, $"The cache keeps {retained} bytes alive.");
    }

    [Fact]
    public void A_popular_name_is_formatted_once()
    {
        var cache = new ContentDispositionCache();

        string first = cache.Format(DispositionType.Attachment, "app-1.4.2.zip");
        string second = cache.Format(DispositionType.Attachment, "app-1.4.2.zip");

        Assert.Same(first, second);
        Assert.Equal(ContentDispositionFormatter.Format(DispositionType.Attachment, "app-1.4.2.zip"), first);
    }
}
