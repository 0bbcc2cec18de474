using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Presigning;

/// <summary>
/// The tier's bounds seen in the managed heap. They run alone: GC.GetTotalMemory counts the whole process, and tests
/// running beside them would add their own garbage to it.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class MemoryTierHeapTests
{
    [Fact]
    public async Task Memory_tier_stays_within_its_entry_limit_over_far_more_objects()
    {
        using var services = PresignedUrlCacheTests.CacheServices(TimeProvider.System, maxEntries: 10_000);
        long[] managedBytes = new long[4];
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 50_000; i++)
            {
                await services.Cache.GetAsync(services.Target($"crawl/{round}/{i}/object.bin"), TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken);
            }

            Assert.InRange(services.Cache.Memory.Count, 1, 10_000);
            managedBytes[round] = GC.GetTotalMemory(forceFullCollection: true);
        }

        // 200,000 distinct objects against a 10,000-entry limit: after the first round memory levels off.
        Assert.InRange(managedBytes[3] - managedBytes[1], long.MinValue, 8 * 1024 * 1024);
    }

    [Fact]
    public async Task Memory_tier_stays_within_its_byte_limit_over_long_hostile_names()
    {
        const long maxBytes = 4L * 1024 * 1024;
        using var services = PresignedUrlCacheTests.CacheServices(TimeProvider.System, maxBytes: maxBytes);
        long[] managedBytes = new long[4];
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 2_000; i++)
            {
                string name = MemoryTierTests.HostileName((round * 2_000) + i, 320);
                await services.Cache.GetAsync(services.Target($"flood/{name}.bin"), TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken);
                Assert.InRange(services.Cache.Memory.Bytes, 0, maxBytes);
            }

            managedBytes[round] = GC.GetTotalMemory(forceFullCollection: true);
        }

        // 8,000 entries of about 20 KB (160 MB unbounded) against a 4 MiB limit: memory levels off after the first round.
        Assert.InRange(managedBytes[3] - managedBytes[1], long.MinValue, 4 * 1024 * 1024);
    }
}
