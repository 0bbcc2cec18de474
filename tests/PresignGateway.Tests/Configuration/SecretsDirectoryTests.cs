using System.Net;
using System.Security.Cryptography;
using PresignGateway.Configuration;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Configuration;

/// <summary>
/// The mounted secrets directory, with real files and symbolic links: Kubernetes' <c>..data</c> layout is read, while
/// a file over 64 KiB and a link whose final target is outside the directory are left out and named in the log.
/// </summary>
public sealed class SecretsDirectoryTests(TestStore store)
{
    [Fact]
    public async Task Kubernetes_layout_is_read_and_oversized_or_escaping_files_are_refused()
    {
        using var secrets = new TemporaryDirectory();
        using var outside = new TemporaryDirectory();
        // kubelet's layout: a timestamped directory, ..data pointing at it, and one link per key through ..data.
        string timestamped = Path.Combine(secrets.Path, "..2030_01_01_00_00_00.000000000");
        Directory.CreateDirectory(timestamped);
        File.CreateSymbolicLink(Path.Combine(secrets.Path, "..data"), "..2030_01_01_00_00_00.000000000");
        await MountAsync(secrets.Path, "Gateway__Stores__oss4__AccessKeyId", TestStore.OssAccessKeyId);
        await MountAsync(secrets.Path, "Gateway__Stores__oss4__AccessKeySecret", TestStore.OssAccessKeySecret);

        // Each of these would replace a working key with a wrong one if it were read.
        const string WrongSecret = "wrong-secret-that-must-not-be-read";
        await File.WriteAllTextAsync(Path.Combine(outside.Path, "secret"), WrongSecret, TestContext.Current.CancellationToken);
        File.CreateSymbolicLink(Path.Combine(secrets.Path, "Gateway__Stores__s3__AccessKeySecret"), Path.Combine(outside.Path, "secret"));
        File.CreateSymbolicLink(Path.Combine(secrets.Path, "..escape"), outside.Path);
        File.CreateSymbolicLink(Path.Combine(secrets.Path, "Gateway__Stores__oss1__AccessKeySecret"), "..escape/secret");
        File.CreateSymbolicLink(Path.Combine(secrets.Path, "Gateway__Stores__oss1__AccessKeyId"), "/etc/passwd");
        string oversized = new('k', SecretsDirectory.MaxFileBytes + 1);
        await File.WriteAllTextAsync(Path.Combine(secrets.Path, "Gateway__Stores__s3__AccessKeyId"), oversized, TestContext.Current.CancellationToken);

        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings.Remove("Gateway:Stores:oss4:AccessKeyId");
        settings.Remove("Gateway:Stores:oss4:AccessKeySecret");
        settings["Gateway:SecretsDirectory"] = secrets.Path;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);

        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            string key = $"secrets/{Guid.NewGuid():N}.bin";
            await store.PutObjectAsync(TestSites.Bucket(kind), key, RandomNumberGenerator.GetBytes(10));
            using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{kind}: {response.StatusCode}");
        }

        string[] refusals = [.. gateway.Logs.Lines.Where(line => line.Contains("[36]", StringComparison.Ordinal))];
        Assert.Contains(refusals, line => line.Contains("Gateway__Stores__s3__AccessKeySecret", StringComparison.Ordinal) && line.Contains("outside the directory", StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("Gateway__Stores__oss1__AccessKeySecret", StringComparison.Ordinal) && line.Contains("outside the directory", StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("Gateway__Stores__oss1__AccessKeyId", StringComparison.Ordinal) && line.Contains("outside the directory", StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("Gateway__Stores__s3__AccessKeyId", StringComparison.Ordinal) && line.Contains("larger than 64 KiB", StringComparison.Ordinal));
        Assert.Equal(4, refusals.Length);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains(WrongSecret, StringComparison.Ordinal) || line.Contains("kkkkkkkk", StringComparison.Ordinal) || line.Contains("root:", StringComparison.Ordinal));
    }

    [Fact]
    public void Real_path_follows_relative_and_absolute_links_and_stops_at_loops()
    {
        using var directory = new TemporaryDirectory();
        string real = Path.Combine(directory.Path, "real");
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "file"), "x");
        File.CreateSymbolicLink(Path.Combine(directory.Path, "relative"), "real/../real");
        File.CreateSymbolicLink(Path.Combine(directory.Path, "absolute"), real);
        File.CreateSymbolicLink(Path.Combine(directory.Path, "loop-a"), "loop-b");
        File.CreateSymbolicLink(Path.Combine(directory.Path, "loop-b"), "loop-a");
        File.CreateSymbolicLink(Path.Combine(directory.Path, "dangling"), "nowhere");
        Directory.CreateDirectory(Path.Combine(real, "inner"));
        File.CreateSymbolicLink(Path.Combine(directory.Path, "inner-link"), "real/inner");

        Assert.Equal(Path.Combine(real, "file"), SecretsDirectory.RealPath(Path.Combine(directory.Path, "relative", "file")));
        Assert.Equal(Path.Combine(real, "file"), SecretsDirectory.RealPath(Path.Combine(directory.Path, "absolute", "..", "real", "file")));
        // '..' after a link is the parent of its target (real/), not of the link (where there is no 'file').
        Assert.Equal(Path.Combine(real, "file"), SecretsDirectory.RealPath(directory.Path + "/inner-link/../file"));
        Assert.Null(SecretsDirectory.RealPath(Path.Combine(directory.Path, "loop-a")));
        Assert.Null(SecretsDirectory.RealPath(Path.Combine(directory.Path, "dangling")));
    }

    /// <summary>A key as kubelet mounts it: the file in the timestamped directory, reached through ..data.</summary>
    private static async Task MountAsync(string directory, string name, string value)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "..data", name), value);
        File.CreateSymbolicLink(Path.Combine(directory, name), Path.Combine("..data", name));
    }
}
