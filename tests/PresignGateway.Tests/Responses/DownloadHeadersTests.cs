using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using PresignGateway.Responses;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// The header allow-lists: only download headers cross between client and store, the site's Cache-Control replaces
/// the store's, and a store header that Kestrel would refuse is dropped instead of breaking the download.
/// </summary>
public sealed class DownloadHeadersTests
{
    private static readonly string[] StorageHeaders =
    [
        "x-oss-request-id", "x-oss-hash-crc64ecma", "x-oss-meta-owner", "x-oss-object-type", "x-oss-server-time", "x-oss-version-id",
        "x-amz-request-id", "x-amz-id-2", "x-amz-version-id", "x-amz-meta-secret", "x-amz-server-side-encryption", "Server", "Set-Cookie",
        "Access-Control-Allow-Origin", "Vary", "Location", "Content-MD5", "Content-Disposition", "Date", "Connection", "Keep-Alive", "Via",
        "Strict-Transport-Security", "X-Frame-Options",
    ];

    [Fact]
    public void Only_download_headers_reach_the_client()
    {
        using HttpResponseMessage store = StoreResponse(HttpStatusCode.OK, 10);
        store.Headers.TryAddWithoutValidation("Cache-Control", "private, max-age=0");
        foreach (string name in StorageHeaders)
        {
            if (!store.Headers.TryAddWithoutValidation(name, "leak"))
            {
                Assert.True(store.Content.Headers.TryAddWithoutValidation(name, "leak"), name);
            }
        }

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteCacheControl: null);

        Assert.Equal(
            ["Accept-Ranges", "Cache-Control", "Content-Encoding", "Content-Language", "Content-Length", "Content-Type", "ETag", "Expires", "Last-Modified"],
            response.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal("10", response.Headers.ContentLength.ToString());
        Assert.Equal("application/pdf", response.Headers.ContentType.ToString());
        Assert.Equal("gzip", response.Headers.ContentEncoding.ToString());
        Assert.Equal("en", response.Headers.ContentLanguage.ToString());
        Assert.Equal("Tue, 15 Nov 1994 08:12:31 GMT", response.Headers.LastModified.ToString());
        Assert.Equal("Wed, 16 Nov 1994 08:12:31 GMT", response.Headers.Expires.ToString());
        Assert.Equal("\"5d41402abc4b2a76b9719d911017c592\"", response.Headers.ETag.ToString());
        Assert.Equal("bytes", response.Headers.AcceptRanges.ToString());
        Assert.Equal("private, max-age=0", response.Headers.CacheControl.ToString());
        Assert.All(response.Headers, h => Assert.DoesNotContain("leak", h.Value.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Content_range_of_a_partial_response_is_copied()
    {
        using HttpResponseMessage store = StoreResponse(HttpStatusCode.PartialContent, 100);
        store.Content.Headers.ContentRange = new ContentRangeHeaderValue(100, 199, 1000);

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteCacheControl: null);

        Assert.Equal("bytes 100-199/1000", response.Headers.ContentRange.ToString());
        Assert.Equal(100, response.ContentLength);
    }

    [Fact]
    public void Absent_store_headers_are_not_invented()
    {
        using var store = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new NonSeekableStream()) };

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteCacheControl: null);

        Assert.Empty(response.Headers);
        Assert.Null(response.ContentLength);
    }

    [Theory]
    [InlineData("private, max-age=0", null, "private, max-age=0")]
    [InlineData("private, max-age=0", "public, max-age=86400", "public, max-age=86400")]
    [InlineData(null, "public, max-age=86400", "public, max-age=86400")]
    [InlineData(null, null, null)]
    public void Site_cache_control_replaces_the_stores(string? storeValue, string? siteValue, string? expected)
    {
        using HttpResponseMessage store = StoreResponse(HttpStatusCode.OK, 1);
        if (storeValue is not null)
        {
            store.Headers.TryAddWithoutValidation("Cache-Control", storeValue);
        }

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteValue);

        if (expected is null)
        {
            Assert.False(response.Headers.ContainsKey("Cache-Control"));
        }
        else
        {
            Assert.Equal(expected, Assert.Single(response.Headers.CacheControl));
        }
    }

    public static TheoryData<string, bool, string> UnsafeValues() => new()
    {
        { "ETag", false, "\"caf\u00e9\"" },
        { "ETag", false, "\"a\r\nSet-Cookie: x=1\"" },
        { "ETag", false, "\"a\0\"" },
        { "Cache-Control", false, "max-age=60\u007F" },
        { "Cache-Control", false, "max-age=60, \u00A0public" },
        { "Accept-Ranges", false, "bytes\n" },
        { "Content-Type", true, "text/plain; name=\u62a5" },
        { "Content-Language", true, "en\u0001" },
        { "Last-Modified", true, "Tue, 15 Nov 1994 08:12:31 GMT\r\nX-Injected: 1" },
        { "Expires", true, "\u2028" },
    };

    [Theory]
    [MemberData(nameof(UnsafeValues))]
    public void Store_header_with_control_or_non_ascii_characters_is_dropped(string name, bool contentHeader, string value)
    {
        using var store = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[3]) };
        HttpHeaders headers = contentHeader ? store.Content.Headers : store.Headers;
        Assert.True(headers.TryAddWithoutValidation(name, value));
        store.Headers.TryAddWithoutValidation("Accept-Ranges", name == "Accept-Ranges" ? value : "bytes");

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteCacheControl: null);

        Assert.False(response.Headers.ContainsKey(name), $"{name} was copied: {response.Headers[name]}");
        Assert.Equal("3", response.Headers.ContentLength.ToString());
        if (name != "Accept-Ranges")
        {
            Assert.Equal("bytes", response.Headers.AcceptRanges.ToString());
        }
    }

    [Fact]
    public void Tab_inside_a_header_value_is_kept()
    {
        using HttpResponseMessage store = StoreResponse(HttpStatusCode.OK, 1);
        store.Headers.Remove("Cache-Control");
        store.Headers.TryAddWithoutValidation("Cache-Control", "max-age=60,\tpublic");

        HttpResponse response = new DefaultHttpContext().Response;
        DownloadHeaders.CopyResponseHeaders(store, response, siteCacheControl: null);

        Assert.Equal("max-age=60,\tpublic", response.Headers.CacheControl.ToString());
    }

    [Fact]
    public void Only_range_and_conditional_headers_reach_the_store()
    {
        var context = new DefaultHttpContext();
        IHeaderDictionary client = context.Request.Headers;
        client.Range = "bytes=0-99";
        client.IfRange = "\"etag\"";
        client.IfNoneMatch = "\"etag\"";
        client.IfModifiedSince = "Tue, 15 Nov 1994 08:12:31 GMT";
        client.IfMatch = "\"etag\"";
        client.IfUnmodifiedSince = "Tue, 15 Nov 1994 08:12:31 GMT";
        client.Host = "dl.example.com";
        client.Authorization = "Bearer secret";
        client.Cookie = "session=secret";
        client["X-Forwarded-For"] = "10.0.0.1";
        client["X-Forwarded-Host"] = "evil.example.com";
        client["Forwarded"] = "for=10.0.0.1";
        client["x-oss-security-token"] = "client-token";
        client["x-amz-security-token"] = "client-token";
        client.UserAgent = "curl/8";
        client.AcceptEncoding = "gzip";
        client.Referer = "https://example.com/";
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt");

        DownloadHeaders.CopyRequestHeaders(context.Request, proxyRequest);

        Assert.Equal(
            ["If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Range"],
            proxyRequest.Headers.NonValidated.Select(h => h.Key).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal("bytes=0-99", proxyRequest.Headers.NonValidated["Range"].ToString());
        Assert.Equal("\"etag\"", proxyRequest.Headers.NonValidated["If-None-Match"].ToString());
    }

    [Fact]
    public void No_client_headers_means_no_store_headers()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Range = "";
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt");

        DownloadHeaders.CopyRequestHeaders(context.Request, proxyRequest);

        Assert.Empty(proxyRequest.Headers.NonValidated);
    }

    private static HttpResponseMessage StoreResponse(HttpStatusCode status, int length)
    {
        var store = new HttpResponseMessage(status) { Content = new ByteArrayContent(new byte[length]) };
        store.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        store.Content.Headers.ContentEncoding.Add("gzip");
        store.Content.Headers.ContentLanguage.Add("en");
        store.Content.Headers.LastModified = new DateTimeOffset(1994, 11, 15, 8, 12, 31, TimeSpan.Zero);
        store.Content.Headers.Expires = new DateTimeOffset(1994, 11, 16, 8, 12, 31, TimeSpan.Zero);
        store.Headers.ETag = new EntityTagHeaderValue("\"5d41402abc4b2a76b9719d911017c592\"");
        store.Headers.AcceptRanges.Add("bytes");
        return store;
    }

    /// <summary>A body whose length is unknown, like a chunked response.</summary>
    private sealed class NonSeekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
