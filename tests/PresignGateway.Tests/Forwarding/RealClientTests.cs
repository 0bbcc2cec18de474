using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>The clients people really use, through the gateway: curl -OJ, wget --content-disposition, curl -C - resumes.</summary>
public sealed class RealClientTests(PipelineGateway gateway) : IClassFixture<PipelineGateway>
{
    public static TheoryData<StoreKind, bool> Layouts() => DownloadPipelineTests.Layouts();

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Curl_saves_the_content_disposition_name(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "release notes 1.4.txt", 5000);
        using var directory = new TemporaryDirectory();

        (int exitCode, _, string stderr) = await ProcessRunner.RunAsync(
            "curl", ["-sS", "-f", "-L", "-O", "-J", Url(kind, redirect, key)], workingDirectory: directory.Path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(directory.Path, "release notes 1.4.txt"), TestContext.Current.CancellationToken));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Wget_saves_the_utf8_name(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "报告 2024 Привет.pdf", 5000);
        using var directory = new TemporaryDirectory();

        (int exitCode, _, string stderr) = await ProcessRunner.RunAsync(
            "wget", ["-q", "--content-disposition", Url(kind, redirect, key)], workingDirectory: directory.Path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(directory.Path, "报告 2024 Привет.pdf"), TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Curl_resumes_an_interrupted_download_byte_identical(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "big.bin", 4 * 1024 * 1024);
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "big.bin");
        string url = Url(kind, redirect, key);

        // Interrupted for real: the store drops the connection halfway through the body (curl: 18, partial file).
        await gateway.Store.AddFaultAsync(key, "abort-mid-body", times: 1);
        (int firstExit, _, _) = await ProcessRunner.RunAsync("curl", ["-sS", "-L", "-o", file, url], cancellationToken: TestContext.Current.CancellationToken);
        long partial = new FileInfo(file).Length;
        Assert.Contains(firstExit, new[] { 18, 56 });
        Assert.InRange(partial, 1, content.Length - 1);

        (int exitCode, _, string stderr) = await ProcessRunner.RunAsync(
            "curl", ["-sS", "-f", "-L", "-C", "-", "-o", file, url], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(content, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        IReadOnlyList<RecordedRequest> requests = await gateway.Store.RequestsForAsync(key);
        RecordedRequest resumed = requests[^1];
        Assert.Equal($"bytes={partial}-", resumed.Headers["range"]);
        Assert.Equal(206, resumed.Status);
    }

    private string Url(StoreKind kind, bool redirect, string key) => new Uri(gateway.Host.BaseAddress, TestSites.PathFor(kind, redirect, key)).AbsoluteUri;

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind, string name, int size)
    {
        string key = $"clients/{Guid.NewGuid():N}/{name}";
        byte[] content = RandomNumberGenerator.GetBytes(size);
        await gateway.Store.PutObjectAsync(TestSites.Bucket(kind), key, content);
        return (key, content);
    }
}
