using System.Buffers.Binary;
using System.Text.Json;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Listing;

/// <summary>Real clients on a listing: wget mirrors a directory tree byte for byte; Chromium shows the page (screenshot checked).</summary>
public sealed class ListingRealClientTests(ListingGateway gateway) : IClassFixture<ListingGateway>
{
    [Fact]
    public async Task Wget_mirrors_a_listed_directory_tree_byte_for_byte()
    {
        string[] keys = ["mirror/a.bin", "mirror/with space.bin", "mirror/sub/b.bin", "mirror/sub/deeper/c.bin", "mirror/Ünïcode-名前.bin", "mirror/plus+plus.bin"];
        var contents = new Dictionary<string, byte[]>();
        foreach (string key in keys)
        {
            byte[] bytes = new byte[Random.Shared.Next(1, 200_000)];
            Random.Shared.NextBytes(bytes);
            contents[key] = bytes;
            await gateway.Store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), gateway.Key(key), bytes);
        }

        using var target = new TemporaryDirectory();
        string url = new Uri(gateway.Host.BaseAddress, ListingGateway.Site(StoreKind.S3V4) + "/mirror/").AbsoluteUri;

        (int exitCode, _, string stderr) = await ProcessRunner.RunAsync(
            "wget", ["-r", "-np", "-nH", "-e", "robots=off", "--no-verbose", "--tries=1", "--timeout=30", "--restrict-file-names=nocontrol", "-P", target.Path, url],
            timeout: TimeSpan.FromSeconds(120), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        string root = Path.Combine(target.Path, ListingGateway.Site(StoreKind.S3V4).TrimStart('/'));
        foreach ((string key, byte[] bytes) in contents)
        {
            string file = Path.Combine(root, key);
            Assert.True(File.Exists(file), $"wget did not fetch {key}; it saved: {string.Join(", ", Directory.EnumerateFiles(target.Path, "*", SearchOption.AllDirectories))}");
            Assert.Equal(bytes, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        }

        // Nothing from above the directory: -np kept it below, and the links never point elsewhere.
        Assert.All(Directory.EnumerateFiles(target.Path, "*", SearchOption.AllDirectories), f => Assert.StartsWith(Path.Combine(root, "mirror"), f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chromium_shows_the_listing_table_and_links_and_the_screenshot_is_a_real_page()
    {
        await gateway.PutAsync([("browser/report 2026.pdf", new string('x', 123_456)), ("browser/\u202Egpj.exe", "x"), ("browser/<b>bold&amp;.txt", "b"), ("browser/sub/x", "x")], StoreKind.OssV4);
        string path = ListingGateway.Site(StoreKind.OssV4) + "/browser/";
        string url = new Uri(gateway.Host.BaseAddress, path).AbsoluteUri;
        string screenshot = Path.Combine(AppContext.BaseDirectory, "listing-screenshots", $"listing-{Guid.NewGuid():N}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        using JsonDocument shown = await BrowserPage.ShowAsync(url, screenshot);
        JsonElement page = shown.RootElement;
        Assert.Equal(200, page.GetProperty("status").GetInt32());
        Assert.Equal("en", page.GetProperty("lang").GetString());
        Assert.Equal("Index of " + path, page.GetProperty("title").GetString());
        Assert.Equal(["Name", "Size", "Last modified (UTC)"], page.GetProperty("tableHeaders").EnumerateArray().Select(e => e.GetString()));
        var links = page.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("text").GetString()!, l => l.GetProperty("href").GetString()!);
        Assert.Equal(path + "sub/", links["sub/"]);
        Assert.Equal(path + "report%202026.pdf", links["report 2026.pdf"]);
        Assert.Equal(path + "%3Cb%3Ebold%26amp%3B.txt", links["<b>bold&amp;.txt"]);
        Assert.True(links.ContainsKey("\\u202Egpj.exe"), "the override is shown, not applied");
        string text = page.GetProperty("text").GetString()!;
        Assert.Contains("120.6 KiB", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', text);
        Assert.Contains("system-ui", page.GetProperty("bodyFontFamily").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(page.GetProperty("consoleErrors").EnumerateArray(), e => e.GetString()!.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.Equal([url], page.GetProperty("requests").EnumerateArray().Select(e => e.GetString()!).Where(u => !u.EndsWith("/favicon.ico", StringComparison.Ordinal)));

        // A PNG of a real page: the signature, a sane size and dimensions, and far more than a blank canvas compresses to.
        byte[] png = await File.ReadAllBytesAsync(screenshot, TestContext.Current.CancellationToken);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        int height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.InRange(width, 300, 4000);
        Assert.InRange(height, 200, 10000);
        Assert.InRange(png.Length, 8_000, 5_000_000);
    }
}
