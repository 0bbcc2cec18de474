using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// Options to routing table: every problem is collected (not just the first), each message names the setting's path
/// and what to do, and none quotes a secret.
/// </summary>
public sealed class SiteTableBuilderTests
{
    private const string Token = "CAIS+sts/token==";

    /// <summary>A valid gateway: store <c>main</c> (OSS V4) and site <c>s</c> on dl.example.com at the root.</summary>
    private static Dictionary<string, string?> Valid()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "s", "/", "main", "dl.example.com");
        return settings;
    }

    public static TheoryData<string, string?, string> SingleMistakes() => new()
    {
        { "Gateway:Stores:main:Provider", null, "Gateway:Stores:main:Provider is required: one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Provider", "oss5", "Gateway:Stores:main:Provider is 'oss5': use one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Provider", "OSS", "Gateway:Stores:main:Provider is 'OSS': use one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Provider", "0", "Gateway:Stores:main:Provider is '0': use one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Provider", "7", "Gateway:Stores:main:Provider is '7': use one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Provider", "-1", "Gateway:Stores:main:Provider is '-1': use one of OssV4, OssV1, S3V4." },
        { "Gateway:Stores:main:Addressing", "Virtual", "Gateway:Stores:main:Addressing is 'Virtual': use one of VirtualHosted, Path, CustomDomain." },
        { "Gateway:Stores:main:Addressing", "1", "Gateway:Stores:main:Addressing is '1': use one of VirtualHosted, Path, CustomDomain." },
        { "Gateway:Stores:main:Endpoint", "oss-cn-hangzhou.aliyuncs.com", "Gateway:Stores:main:Endpoint: The endpoint must be an absolute http or https URL such as https://oss-cn-hangzhou.aliyuncs.com." },
        { "Gateway:Stores:main:Endpoint", "ftp://oss.example.com", "Gateway:Stores:main:Endpoint: The endpoint must be an absolute http or https URL such as https://oss-cn-hangzhou.aliyuncs.com." },
        { "Gateway:Stores:main:Endpoint", "https://oss.example.com/examplebucket", "Gateway:Stores:main:Endpoint: The endpoint must be scheme://host[:port] only, with no user info, path, query or fragment; put the bucket in the Bucket setting." },
        { "Gateway:Stores:main:Endpoint", "https://user@oss.example.com", "Gateway:Stores:main:Endpoint: The endpoint must be scheme://host[:port] only, with no user info, path, query or fragment; put the bucket in the Bucket setting." },
        { "Gateway:Stores:main:Endpoint", "https://127.0.0.1:9000", "Gateway:Stores:main:Addressing: Virtual-hosted addressing needs a DNS host name, but the endpoint is an IP address; use Path or CustomDomain addressing." },
        { "Gateway:Stores:main:Endpoint", null, "Gateway:Stores:main:Endpoint is required." },
        { "Gateway:Stores:main:Endpoint", " ", "Gateway:Stores:main:Endpoint is required." },
        { "Gateway:Stores:main:Region", null, "Gateway:Stores:main:Region is required." },
        { "Gateway:Stores:main:Region", "CN-Hangzhou", "Gateway:Stores:main:Region: The region may contain only lowercase letters, digits and '-' (for OSS, without the 'oss-' prefix: cn-hangzhou)." },
        { "Gateway:Stores:main:Bucket", null, "Gateway:Stores:main:Bucket is required." },
        { "Gateway:Stores:main:Bucket", "ab", "Gateway:Stores:main:Bucket: A bucket name has 3 to 63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, with no '..'." },
        { "Gateway:Stores:main:Bucket", "Example_Bucket", "Gateway:Stores:main:Bucket: A bucket name has 3 to 63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, with no '..'." },
        { "Gateway:Stores:main:Bucket", "my.bucket", "Gateway:Stores:main:Bucket: An OSS bucket name can't contain '.'." },
        { "Gateway:Stores:main:UrlLifetime", "00:00:00", "Gateway:Stores:main:UrlLifetime is 00:00:00: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4." },
        { "Gateway:Stores:main:UrlLifetime", "-00:10:00", "Gateway:Stores:main:UrlLifetime is -00:10:00: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4." },
        { "Gateway:Stores:main:UrlLifetime", "7.00:00:01", "Gateway:Stores:main:UrlLifetime is 7.00:00:01: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4." },
        { "Gateway:Stores:main:UrlLifetime", "00:10:00.5", "Gateway:Stores:main:UrlLifetime is 00:10:00.5000000: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4." },
        { "Gateway:Stores:main:AccessKeyId", null, "Gateway:Stores:main: set both AccessKeyId and AccessKeySecret (or neither, to use OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET)." },
        { "Gateway:Stores:main:AccessKeySecret", null, "Gateway:Stores:main: set both AccessKeyId and AccessKeySecret (or neither, to use OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET)." },
        { "Gateway:Stores:main:AccessKeySecret", "two words", "Gateway:Stores:main: the credentials are unusable: The access key secret contains a space, a control character or a non-ASCII character; copy it again without surrounding white space." },
        { "Gateway:Stores:main:AccessKeyId", "LTAI\u00e9", "Gateway:Stores:main: the credentials are unusable: The access key id contains a space, a control character or a non-ASCII character; copy it again without surrounding white space." },
        { "Gateway:Sites:s:Hosts:0", null, "Gateway:Sites:s:Hosts is empty: list the host names it answers, such as downloads.example.com, *.example.com or *." },
        { "Gateway:Sites:s:Hosts:0", "https://x", "Gateway:Sites:s:Hosts has 'https://x': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "x:80", "Gateway:Sites:s:Hosts has 'x:80': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "*x.com", "Gateway:Sites:s:Hosts has '*x.com': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "a/b", "Gateway:Sites:s:Hosts has 'a/b': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "*.*.example.com", "Gateway:Sites:s:Hosts has '*.*.example.com': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "*.", "Gateway:Sites:s:Hosts has '*.': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "**", "Gateway:Sites:s:Hosts has '**': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:Hosts:0", "dl example.com", "Gateway:Sites:s:Hosts has 'dl example.com': use a host name without scheme, port or path, '*.example.com' or '*'." },
        { "Gateway:Sites:s:PathPrefix", "docs", "Gateway:Sites:s:PathPrefix 'docs' must start with '/' and be written decoded, without '?' or '%'." },
        { "Gateway:Sites:s:PathPrefix", "/a?b", "Gateway:Sites:s:PathPrefix '/a?b' must start with '/' and be written decoded, without '?' or '%'." },
        { "Gateway:Sites:s:PathPrefix", "/a%20b", "Gateway:Sites:s:PathPrefix '/a%20b' must start with '/' and be written decoded, without '?' or '%'." },
        { "Gateway:Sites:s:Store", "nope", "Gateway:Sites:s:Store 'nope' is not a configured store; the stores are: main." },
        { "Gateway:Sites:s:Store", null, "Gateway:Sites:s:Store is required: name one of the stores (main)." },
        { "Gateway:Sites:s:Mode", "Stream", "Gateway:Sites:s:Mode is 'Stream': use one of Proxy, Redirect." },
        { "Gateway:Sites:s:Mode", "1", "Gateway:Sites:s:Mode is '1': use one of Proxy, Redirect." },
        { "Gateway:Sites:s:Disposition", "download", "Gateway:Sites:s:Disposition is 'download': use one of Attachment, Inline." },
        { "Gateway:Sites:s:AllowedQuery:0", "versionid", "Gateway:Sites:s:AllowedQuery has 'versionid': the gateway honours only versionId, x-oss-process, filename, inline (case-sensitive)." },
        { "Gateway:Sites:s:AllowedQuery:0", "response-content-disposition", "Gateway:Sites:s:AllowedQuery has 'response-content-disposition': the gateway honours only versionId, x-oss-process, filename, inline (case-sensitive)." },
        { "Gateway:Sites:s:CacheControl", "public\r\nSet-Cookie: a=b", "Gateway:Sites:s:CacheControl must be printable ASCII, such as 'public, max-age=86400'." },
        { "Gateway:Sites:s:CacheControl", "max-age=60,\tpublic", "Gateway:Sites:s:CacheControl must be printable ASCII, such as 'public, max-age=86400'." },
        { "Gateway:Sites:s:CacheControl", "max-age=60, \u00e9", "Gateway:Sites:s:CacheControl must be printable ASCII, such as 'public, max-age=86400'." },
        { "Gateway:Sites:s:KeyPrefix", "../", "Gateway:Sites:s:KeyPrefix: The path has a '.' or '..' segment." },
        { "Gateway:Sites:s:KeyPrefix", "a/./", "Gateway:Sites:s:KeyPrefix: The path has a '.' or '..' segment." },
        { "Gateway:Sites:s:KeyPrefix", "a\u0001/", "Gateway:Sites:s:KeyPrefix: The object key contains a control character." },
        { "Gateway:Sites:s:KeyPrefix", "public", "Gateway:Sites:s:KeyPrefix 'public' must end with '/' (such as 'public/'): without it, paths reach sibling keys that merely start with it ('public-other/...')." },
        { "Gateway:Sites:s:KeyPrefix", "a/b", "Gateway:Sites:s:KeyPrefix 'a/b' must end with '/' (such as 'a/b/'): without it, paths reach sibling keys that merely start with it ('a/b-other/...')." },
        { "Gateway:Cache:RefreshBefore", "00:00:00", "Gateway:Cache:RefreshBefore must be positive, such as 00:05:00." },
        { "Gateway:Cache:MaxEntries", "0", "Gateway:Cache:MaxEntries must be at least 1 (default 100000)." },
        { "Gateway:Cache:MaxBytes", "1048575", "Gateway:Cache:MaxBytes is 1048575: set at least 1048576 (1 MiB), in bytes; the default is 67108864 (64 MiB)." },
        { "Gateway:Cache:ListingMaxBytes", "-1", "Gateway:Cache:ListingMaxBytes is -1: set 0 (no listing cache) or more, in bytes; the default is 16777216 (16 MiB)." },
        { "Gateway:Sites:s:Listing", "Yes", "Gateway:Sites:s:Listing is 'Yes': use one of Off, On." },
        { "Gateway:Sites:s:IndexDocument", "docs/index.html", "Gateway:Sites:s:IndexDocument 'docs/index.html' must be an object name without '/' or control characters, such as index.html." },
        { "Gateway:Sites:s:IndexDocument", "..", "Gateway:Sites:s:IndexDocument '..' must be an object name without '/' or control characters, such as index.html." },
        { "Gateway:Sites:s:ListingPageSize", "0", "Gateway:Sites:s:ListingPageSize is 0: use 1 to 1000 (the stores return at most 1000 keys a page)." },
        { "Gateway:Sites:s:ListingPageSize", "1001", "Gateway:Sites:s:ListingPageSize is 1001: use 1 to 1000 (the stores return at most 1000 keys a page)." },
        { "Gateway:Sites:s:ListingCacheDuration", "-00:00:01", "Gateway:Sites:s:ListingCacheDuration is -00:00:01: use a time span from 00:00:00 (no caching) to 1.00:00:00, such as 00:00:10." },
        { "Gateway:Cache:RedisTimeout", "00:00:00", "Gateway:Cache:RedisTimeout must be positive, such as 00:00:00.200." },
        { "Gateway:Upstream:ConnectTimeout", "00:00:00", "Gateway:Upstream:ConnectTimeout must be positive, such as 00:00:05." },
        { "Gateway:Upstream:ResponseHeadersTimeout", "-00:00:01", "Gateway:Upstream:ResponseHeadersTimeout must be positive, such as 00:00:30." },
        { "Gateway:Upstream:MaxConnectionsPerServer", "0", "Gateway:Upstream:MaxConnectionsPerServer must be at least 1 (default 1024)." },
        { "Gateway:Upstream:BodyBufferSize", "16383", "Gateway:Upstream:BodyBufferSize must be between 16384 and 4194304 bytes (default 262144)." },
        { "Gateway:Upstream:BodyBufferSize", "4194305", "Gateway:Upstream:BodyBufferSize must be between 16384 and 4194304 bytes (default 262144)." },
    };

    [Theory]
    [MemberData(nameof(SingleMistakes))]
    public void One_mistake_gives_one_message_naming_the_setting_and_the_fix(string setting, string? value, string expectedMessage)
    {
        Dictionary<string, string?> settings = Valid();
        Set(settings, setting, value);

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal([expectedMessage], errors);
    }

    [Theory]
    [InlineData("Gateway:Stores:main:Provider", "OssV4,OssV1", "OssV4, OssV1, S3V4")]
    [InlineData("Gateway:Stores:main:Provider", "+1", "OssV4, OssV1, S3V4")]
    [InlineData("Gateway:Stores:main:Addressing", "VirtualHosted,Path", "VirtualHosted, Path, CustomDomain")]
    [InlineData("Gateway:Sites:s:Mode", "Proxy,Redirect", "Proxy, Redirect")]
    [InlineData("Gateway:Sites:s:Disposition", "+0", "Attachment, Inline")]
    public void Numbers_and_lists_are_not_names(string setting, string value, string names)
    {
        Dictionary<string, string?> settings = Valid();
        Set(settings, setting, value);

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal([$"{setting} is '{value}': use one of {names}."], errors);
    }

    public static TheoryData<string, string> AliasMistakes() => new()
    {
        { "Gateway:Sites:s:Aliases:/other/app.zip:Key", "Gateway:Sites:s:Aliases:/other/app.zip: an alias is a full request path under the site's PathPrefix '/docs'." },
        { "Gateway:Sites:s:Aliases:/docsx:Key", "Gateway:Sites:s:Aliases:/docsx: an alias is a full request path under the site's PathPrefix '/docs'." },
        { "Gateway:Sites:s:Aliases:docs/app.zip:Key", "Gateway:Sites:s:Aliases:docs/app.zip: an alias is a full request path under the site's PathPrefix '/docs'." },
        { "Gateway:Sites:s:Aliases:/docs/nokey:FileName", "Gateway:Sites:s:Aliases:/docs/nokey:Key is required: the object key the alias serves." },
        { "Gateway:Sites:s:Aliases:/docs/dots:Key=a/../b", "Gateway:Sites:s:Aliases:/docs/dots:Key: The path has a '.' or '..' segment." },
        { "Gateway:Sites:s:Aliases:/docs/dot:Key=./b", "Gateway:Sites:s:Aliases:/docs/dot:Key: The path has a '.' or '..' segment." },
        { "Gateway:Sites:s:Aliases:/docs/ctl:Key=a\u007fb", "Gateway:Sites:s:Aliases:/docs/ctl:Key: The object key contains a control character." },
        { "Gateway:Sites:s:Aliases:/docs/long:Key=" + new string('k', 1024), "Gateway:Sites:s:Aliases:/docs/long:Key: The object key is longer than 1023 bytes." },
        { "Gateway:Sites:s:Aliases:/docs/badname:FileName=../", "Gateway:Sites:s:Aliases:/docs/badname:FileName has nothing left after removing paths and control characters." },
    };

    /// <summary>The setting is <c>path=value</c>, or a path whose value is <c>x</c>; the site is under /docs.</summary>
    [Theory]
    [MemberData(nameof(AliasMistakes))]
    public void Alias_mistakes_name_the_alias(string setting, string expectedMessage)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:PathPrefix"] = "/docs";
        int equals = setting.IndexOf('=', StringComparison.Ordinal);
        string key = equals < 0 ? setting : setting[..equals];
        settings[key] = equals < 0 ? "x" : setting[(equals + 1)..];
        if (key.EndsWith(":FileName", StringComparison.Ordinal) && equals >= 0)
        {
            settings[key[..^":FileName".Length] + ":Key"] = "k";
        }

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal([expectedMessage], errors);
    }

    [Fact]
    public void Alias_equal_to_the_prefix_or_under_it_is_accepted()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:PathPrefix"] = "/docs/";
        settings["Gateway:Sites:s:Aliases:/docs:Key"] = "index.html";
        settings["Gateway:Sites:s:Aliases:/docs/latest/app.zip:Key"] = "releases/app-1.zip";
        settings["Gateway:Sites:s:Aliases:/docs/latest/app.zip:FileName"] = "app.zip";
        settings["Gateway:Sites:s:Aliases:/docs/latest/app.zip:VersionId"] = "v1";

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);

        Assert.Equal(new SiteAlias("index.html", null, null), site.Aliases["/docs"]);
        Assert.Equal(new SiteAlias("releases/app-1.zip", "app.zip", "v1"), site.Aliases["/docs/latest/app.zip"]);
        Assert.Equal(2, site.Aliases.Count);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        GatewaySettings.AddStore(settings, "good");
        GatewaySettings.AddStore(settings, "noprovider");
        settings.Remove("Gateway:Stores:noprovider:Provider");
        GatewaySettings.AddStore(settings, "badprovider", "oss5");
        GatewaySettings.AddStore(settings, "badaddressing");
        settings["Gateway:Stores:badaddressing:Addressing"] = "Virtual";
        GatewaySettings.AddStore(settings, "badendpoint");
        settings["Gateway:Stores:badendpoint:Endpoint"] = "oss-cn-hangzhou.aliyuncs.com";
        GatewaySettings.AddStore(settings, "badbucket");
        settings["Gateway:Stores:badbucket:Bucket"] = "Bad_Bucket";
        GatewaySettings.AddStore(settings, "dotted");
        settings["Gateway:Stores:dotted:Bucket"] = "my.bucket";
        GatewaySettings.AddStore(settings, "missing");
        settings.Remove("Gateway:Stores:missing:Endpoint");
        settings.Remove("Gateway:Stores:missing:Region");
        settings.Remove("Gateway:Stores:missing:Bucket");
        GatewaySettings.AddStore(settings, "zero");
        settings["Gateway:Stores:zero:UrlLifetime"] = "00:00:00";
        GatewaySettings.AddStore(settings, "sts");
        settings["Gateway:Stores:sts:SecurityToken"] = Token;
        settings["Gateway:Stores:sts:UrlLifetime"] = "1.00:00:00";
        GatewaySettings.AddStore(settings, "nokeys", withKeys: false);
        GatewaySettings.AddStore(settings, "nos3keys", "S3V4", withKeys: false);
        // Static explicitly: Auto would turn to the instance metadata service (CredentialSourceTests).
        settings["Gateway:Stores:nokeys:Credentials:Source"] = "Static";
        settings["Gateway:Stores:nos3keys:Credentials:Source"] = "static";
        GatewaySettings.AddStore(settings, "halfkeys");
        settings.Remove("Gateway:Stores:halfkeys:AccessKeyId");
        GatewaySettings.AddStore(settings, "badsecret");
        settings["Gateway:Stores:badsecret:AccessKeySecret"] = " " + GatewaySettings.Secret;

        GatewaySettings.AddSite(settings, "unknownstore", "/u", "nope", "dl.example.com");
        GatewaySettings.AddSite(settings, "badhosts", "/h", "good", "https://x", "x:80", "*x.com", "a/b");
        GatewaySettings.AddSite(settings, "badprefix", "docs", "good", "dl.example.com");
        GatewaySettings.AddSite(settings, "badmode", "/m", "good", "dl.example.com");
        settings["Gateway:Sites:badmode:Mode"] = "Stream";
        settings["Gateway:Sites:badmode:Disposition"] = "download";
        settings["Gateway:Sites:badmode:AllowedQuery:0"] = "VersionId";
        settings["Gateway:Sites:badmode:CacheControl"] = "public\nSet-Cookie: a=b";
        GatewaySettings.AddSite(settings, "badaliases", "/a", "good", "dl.example.com");
        settings["Gateway:Sites:badaliases:Aliases:/elsewhere/x:Key"] = "x";
        settings["Gateway:Sites:badaliases:Aliases:/a/nokey:FileName"] = "x.zip";
        settings["Gateway:Sites:badaliases:Aliases:/a/dots:Key"] = "../etc/passwd";
        GatewaySettings.AddSite(settings, "first", "/dup", "good", "dl.example.com");
        GatewaySettings.AddSite(settings, "second", "/dup/", "good", "DL.example.com");
        GatewaySettings.AddSite(settings, "badstoreuser", "/b", "badprovider", "dl.example.com");
        settings["Gateway:Cache:MaxEntries"] = "0";

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        string[] expected =
        [
            "Gateway:Cache:MaxEntries must be at least 1 (default 100000).",
            "Gateway:Stores:noprovider:Provider is required: one of OssV4, OssV1, S3V4.",
            "Gateway:Stores:badprovider:Provider is 'oss5': use one of OssV4, OssV1, S3V4.",
            "Gateway:Stores:badaddressing:Addressing is 'Virtual': use one of VirtualHosted, Path, CustomDomain.",
            "Gateway:Stores:badendpoint:Endpoint: The endpoint must be an absolute http or https URL such as https://oss-cn-hangzhou.aliyuncs.com.",
            "Gateway:Stores:badbucket:Bucket: A bucket name has 3 to 63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, with no '..'.",
            "Gateway:Stores:dotted:Bucket: An OSS bucket name can't contain '.'.",
            "Gateway:Stores:missing:Endpoint is required.",
            "Gateway:Stores:missing:Region is required.",
            "Gateway:Stores:missing:Bucket is required.",
            "Gateway:Stores:zero:UrlLifetime is 00:00:00: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4.",
            "Gateway:Stores:sts:UrlLifetime is 1.00:00:00: it must be a whole number of seconds from 00:00:01 to 12:00:00 for OssV4 with an STS token.",
            "Gateway:Stores:nokeys has no keys: set Gateway:Stores:nokeys:AccessKeyId and Gateway:Stores:nokeys:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET.",
            "Gateway:Stores:nos3keys has no keys: set Gateway:Stores:nos3keys:AccessKeyId and Gateway:Stores:nos3keys:AccessKeySecret, or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            "Gateway:Stores:halfkeys: set both AccessKeyId and AccessKeySecret (or neither, to use OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET).",
            "Gateway:Stores:badsecret: the credentials are unusable: The access key secret contains a space, a control character or a non-ASCII character; copy it again without surrounding white space.",
            "Gateway:Sites:unknownstore:Store 'nope' is not a configured store; the stores are: ",
            "Gateway:Sites:badhosts:Hosts has 'https://x': use a host name without scheme, port or path, '*.example.com' or '*'.",
            "Gateway:Sites:badhosts:Hosts has 'x:80': use a host name without scheme, port or path, '*.example.com' or '*'.",
            "Gateway:Sites:badhosts:Hosts has '*x.com': use a host name without scheme, port or path, '*.example.com' or '*'.",
            "Gateway:Sites:badhosts:Hosts has 'a/b': use a host name without scheme, port or path, '*.example.com' or '*'.",
            "Gateway:Sites:badprefix:PathPrefix 'docs' must start with '/' and be written decoded, without '?' or '%'.",
            "Gateway:Sites:badmode:Mode is 'Stream': use one of Proxy, Redirect.",
            "Gateway:Sites:badmode:Disposition is 'download': use one of Attachment, Inline.",
            "Gateway:Sites:badmode:AllowedQuery has 'VersionId': the gateway honours only versionId, x-oss-process, filename, inline (case-sensitive).",
            "Gateway:Sites:badmode:CacheControl must be printable ASCII, such as 'public, max-age=86400'.",
            "Gateway:Sites:badaliases:Aliases:/elsewhere/x: an alias is a full request path under the site's PathPrefix '/a'.",
            "Gateway:Sites:badaliases:Aliases:/a/nokey:Key is required: the object key the alias serves.",
            "Gateway:Sites:badaliases:Aliases:/a/dots:Key: The path has a '.' or '..' segment.",
            "Gateway:Sites:second and Gateway:Sites:first both claim host 'dl.example.com' with path prefix '/dup': give one of them another host or prefix.",
        ];
        foreach (string message in expected)
        {
            Assert.True(errors.Any(e => e.StartsWith(message, StringComparison.Ordinal)), $"Missing: {message}\nGot:\n{string.Join("\n", errors)}");
        }

        Assert.Equal(expected.Length, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("Gateway:", e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain(GatewaySettings.Secret, e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain(Token, e, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_part_of_one_store_is_reported()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Stores:main:Endpoint"] = "oss-cn-hangzhou.aliyuncs.com";
        settings["Gateway:Stores:main:Region"] = "CN-Hangzhou";
        settings["Gateway:Stores:main:Bucket"] = "Bad_Bucket";
        settings["Gateway:Stores:main:UrlLifetime"] = "8.00:00:00";
        settings.Remove("Gateway:Stores:main:AccessKeySecret");

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal(
            [
                "Gateway:Stores:main:Endpoint: The endpoint must be an absolute http or https URL such as https://oss-cn-hangzhou.aliyuncs.com.",
                "Gateway:Stores:main:Region: The region may contain only lowercase letters, digits and '-' (for OSS, without the 'oss-' prefix: cn-hangzhou).",
                "Gateway:Stores:main:Bucket: A bucket name has 3 to 63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, with no '..'.",
                "Gateway:Stores:main: set both AccessKeyId and AccessKeySecret (or neither, to use OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET).",
                "Gateway:Stores:main:UrlLifetime is 8.00:00:00: it must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4.",
            ],
            errors);
    }

    [Fact]
    public void Missing_keys_are_reported_even_when_the_provider_is_wrong()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Stores:main:Provider"] = "aliyun";
        settings["Gateway:Stores:main:Credentials:Source"] = "Static";
        settings.Remove("Gateway:Stores:main:AccessKeyId");
        settings.Remove("Gateway:Stores:main:AccessKeySecret");

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal(2, errors.Count);
        Assert.Equal("Gateway:Stores:main:Provider is 'aliyun': use one of OssV4, OssV1, S3V4.", errors[0]);
        Assert.StartsWith("Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_come_back_from_the_options_validator_too()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:Mode"] = "Stream";
        settings["Gateway:Stores:main:Bucket"] = "my.bucket";
        IConfiguration configuration = GatewaySettings.Configuration(settings);

        ValidateOptionsResult result = new GatewayOptionsValidator(configuration).Validate(null, GatewaySettings.Bind(configuration));

        Assert.True(result.Failed);
        Assert.Equal(
            ["Gateway:Stores:main:Bucket: An OSS bucket name can't contain '.'.", "Gateway:Sites:s:Mode is 'Stream': use one of Proxy, Redirect."],
            result.Failures);
    }

    [Fact]
    public void Valid_options_pass_the_options_validator()
    {
        IConfiguration configuration = GatewaySettings.Configuration(Valid());

        ValidateOptionsResult result = new GatewayOptionsValidator(configuration).Validate(null, GatewaySettings.Bind(configuration));

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Empty_sites_are_reported()
    {
        IReadOnlyList<string> errors = GatewaySettings.Errors(GatewaySettings.WithStore());

        Assert.Equal(["Gateway:Sites is empty: add at least one site (Hosts, PathPrefix, Store)."], errors);
    }

    [Fact]
    public void Empty_configuration_reports_the_missing_sites()
    {
        IReadOnlyList<string> errors = GatewaySettings.Errors(new Dictionary<string, string?>());

        Assert.Equal(["Gateway:Sites is empty: add at least one site (Hosts, PathPrefix, Store)."], errors);
    }

    public static TheoryData<string, string, string, string> AcceptedSpellings() => new()
    {
        { "Gateway:Stores:main:Provider", "ossv4", "Scheme", "OssV4" },
        { "Gateway:Stores:main:Provider", "OSSV1", "Scheme", "OssV1" },
        { "Gateway:Stores:main:Provider", "s3v4", "Scheme", "S3V4" },
        { "Gateway:Stores:main:Provider", " OssV4 ", "Scheme", "OssV4" },
        { "Gateway:Stores:main:Addressing", "path", "Addressing", "Path" },
        { "Gateway:Stores:main:Addressing", "CUSTOMDOMAIN", "Addressing", "CustomDomain" },
        { "Gateway:Stores:main:Addressing", "virtualhosted", "Addressing", "VirtualHosted" },
        { "Gateway:Stores:main:Addressing", "", "Addressing", "VirtualHosted" },
        { "Gateway:Sites:s:Mode", "redirect", "Mode", "Redirect" },
        { "Gateway:Sites:s:Mode", "PROXY", "Mode", "Proxy" },
        { "Gateway:Sites:s:Mode", "", "Mode", "Proxy" },
        { "Gateway:Sites:s:Disposition", "inline", "Disposition", "Inline" },
        { "Gateway:Sites:s:Disposition", "ATTACHMENT", "Disposition", "Attachment" },
        { "Gateway:Sites:s:Disposition", " Inline ", "Disposition", "Inline" },
    };

    [Theory]
    [MemberData(nameof(AcceptedSpellings))]
    public void Valid_values_are_accepted_in_any_case(string setting, string value, string property, string expected)
    {
        Dictionary<string, string?> settings = Valid();
        settings[setting] = value;

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);

        string actual = property switch
        {
            "Scheme" => site.Store.Scheme.ToString(),
            "Addressing" => site.Store.Location.Addressing.ToString(),
            "Mode" => site.Mode.ToString(),
            _ => site.Disposition.ToString(),
        };
        Assert.Equal(expected, actual);
    }

    public static TheoryData<string, string, bool, string?> Lifetimes() => new()
    {
        { "OssV4", "00:00:01", false, null },
        { "OssV4", "7.00:00:00", false, null },
        { "OssV4", "7.00:00:01", false, "to 7.00:00:00 for OssV4." },
        { "OssV4", "00:00:00.999", false, "to 7.00:00:00 for OssV4." },
        { "OssV4", "12:00:00", true, null },
        { "OssV4", "12:00:01", true, "to 12:00:00 for OssV4 with an STS token." },
        { "OssV1", "30.00:00:00", false, null },
        { "OssV1", "3650.00:00:00", false, null },
        { "OssV1", "3650.00:00:01", false, "to 3650.00:00:00 for OssV1." },
        { "OssV1", "12:00:01", true, "to 12:00:00 for OssV1 with an STS token." },
        { "S3V4", "7.00:00:00", false, null },
        { "S3V4", "7.00:00:00", true, null },
        { "S3V4", "7.00:00:01", false, "to 7.00:00:00 for S3V4." },
    };

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public void Url_lifetime_is_bounded_by_the_scheme_and_the_sts_token(string provider, string lifetime, bool withToken, string? expectedError)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Stores:main:Provider"] = provider;
        settings["Gateway:Stores:main:UrlLifetime"] = lifetime;
        if (withToken)
        {
            settings["Gateway:Stores:main:SecurityToken"] = Token;
        }

        if (expectedError is null)
        {
            Site site = Assert.Single(GatewaySettings.Build(settings).Sites);
            Assert.Equal(TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture), site.Store.UrlLifetime);
            Assert.Equal(withToken ? Token : null, site.Store.CredentialSource.Current.Credentials.SecurityToken);
        }
        else
        {
            string error = Assert.Single(GatewaySettings.Errors(settings));
            Assert.StartsWith($"Gateway:Stores:main:UrlLifetime is {lifetime}", error, StringComparison.Ordinal);
            Assert.EndsWith(expectedError, error, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string[], string, string?> EnvironmentKeys() => new()
    {
        { "OssV4", ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret"], "LTAIenv", null },
        { "OssV1", ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret", "OSS_SESSION_TOKEN=env-token"], "LTAIenv", "env-token" },
        { "S3V4", ["AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env-secret"], "AKIAENV", null },
        { "S3V4", ["AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env-secret", "AWS_SESSION_TOKEN=env-token", "OSS_ACCESS_KEY_ID=LTAIother"], "AKIAENV", "env-token" },
        { "OssV4", ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret", "OSS_SESSION_TOKEN="], "LTAIenv", null },
    };

    [Theory]
    [MemberData(nameof(EnvironmentKeys))]
    public void Store_without_keys_takes_them_from_the_environment_names(string provider, string[] environment, string expectedKeyId, string? expectedToken)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Stores:main:Provider"] = provider;
        settings.Remove("Gateway:Stores:main:AccessKeyId");
        settings.Remove("Gateway:Stores:main:AccessKeySecret");
        AddEnvironment(settings, environment);

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);

        Assert.Equal(expectedKeyId, site.Store.CredentialSource.Current.Credentials.AccessKeyId);
        Assert.Equal("env-secret", site.Store.CredentialSource.Current.Credentials.AccessKeySecret);
        Assert.Equal(expectedToken, site.Store.CredentialSource.Current.Credentials.SecurityToken);
    }

    public static TheoryData<string, string[], string> MissingEnvironmentKeys() => new()
    {
        { "OssV4", [], "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET." },
        { "OssV4", ["OSS_ACCESS_KEY_ID=LTAIenv"], "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET." },
        { "OssV4", ["OSS_ACCESS_KEY_SECRET=env-secret"], "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET." },
        { "OssV4", ["AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=env-secret"], "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET." },
        { "S3V4", ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret"], "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY." },
        { "OssV1", ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env secret"], "Gateway:Stores:main: the credentials are unusable: The access key secret contains a space, a control character or a non-ASCII character; copy it again without surrounding white space." },
    };

    [Theory]
    [MemberData(nameof(MissingEnvironmentKeys))]
    public void Missing_keys_name_the_settings_and_the_environment_variables_of_the_provider(string provider, string[] environment, string expectedMessage)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Stores:main:Provider"] = provider;
        // Static explicitly: with Auto, no keys at all means the instance metadata service (CredentialSourceTests).
        settings["Gateway:Stores:main:Credentials:Source"] = "Static";
        settings.Remove("Gateway:Stores:main:AccessKeyId");
        settings.Remove("Gateway:Stores:main:AccessKeySecret");
        AddEnvironment(settings, environment);

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal([expectedMessage], errors);
        Assert.DoesNotContain(errors, e => e.Contains("env-secret", StringComparison.Ordinal) || e.Contains("env secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Sts_token_from_the_environment_limits_the_lifetime_to_12_hours()
    {
        Dictionary<string, string?> settings = Valid();
        settings.Remove("Gateway:Stores:main:AccessKeyId");
        settings.Remove("Gateway:Stores:main:AccessKeySecret");
        settings["Gateway:Stores:main:UrlLifetime"] = "1.00:00:00";
        AddEnvironment(settings, ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret", "OSS_SESSION_TOKEN=" + Token]);

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal(["Gateway:Stores:main:UrlLifetime is 1.00:00:00: it must be a whole number of seconds from 00:00:01 to 12:00:00 for OssV4 with an STS token."], errors);
    }

    [Fact]
    public void Configured_keys_are_never_mixed_with_environment_keys()
    {
        Dictionary<string, string?> settings = Valid();
        AddEnvironment(settings, ["OSS_ACCESS_KEY_ID=LTAIenv", "OSS_ACCESS_KEY_SECRET=env-secret", "OSS_SESSION_TOKEN=env-token"]);

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);
        Assert.Equal(GatewaySettings.KeyId, site.Store.CredentialSource.Current.Credentials.AccessKeyId);
        Assert.Equal(GatewaySettings.Secret, site.Store.CredentialSource.Current.Credentials.AccessKeySecret);
        Assert.Null(site.Store.CredentialSource.Current.Credentials.SecurityToken);

        settings.Remove("Gateway:Stores:main:AccessKeySecret");
        Assert.Equal(
            ["Gateway:Stores:main: set both AccessKeyId and AccessKeySecret (or neither, to use OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET)."],
            GatewaySettings.Errors(settings));
    }

    public static TheoryData<string, string, string, string, string?> Claims() => new()
    {
        { "dl.example.com", "/dup", "dl.example.com", "/dup", "host 'dl.example.com' with path prefix '/dup'" },
        { "dl.example.com", "/dup", "DL.Example.com", "/dup/", "host 'dl.example.com' with path prefix '/dup'" },
        { "*", "/", "*", "/", "host '*' with path prefix '/'" },
        { "*.example.com", "/a", "*.EXAMPLE.com", "/a", "host '*.example.com' with path prefix '/a'" },
        { "dl.example.com", "/dup", "dl.example.com", "/dup/x", null },
        { "dl.example.com", "/dup", "dl2.example.com", "/dup", null },
        { "dl.example.com", "/dup", "*.example.com", "/dup", null },
        { "dl.example.com", "/dup", "dl.example.com", "/DUP", null },
    };

    [Theory]
    [MemberData(nameof(Claims))]
    public void Two_sites_may_not_claim_the_same_host_and_prefix(string firstHost, string firstPrefix, string secondHost, string secondPrefix, string? expectedClaim)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "first", firstPrefix, "main", firstHost);
        GatewaySettings.AddSite(settings, "second", secondPrefix, "main", secondHost);

        if (expectedClaim is null)
        {
            Assert.Equal(2, GatewaySettings.Build(settings).Sites.Count);
        }
        else
        {
            string error = Assert.Single(GatewaySettings.Errors(settings));
            Assert.Equal($"Gateway:Sites:second and Gateway:Sites:first both claim {expectedClaim}: give one of them another host or prefix.", error);
        }
    }

    [Fact]
    public void Site_takes_its_settings_from_the_options()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddStore(settings, "s3", "S3V4");
        GatewaySettings.AddSite(settings, "oss", "/oss/", "main", "dl.example.com");
        settings["Gateway:Sites:oss:KeyPrefix"] = "public/";
        settings["Gateway:Sites:oss:Mode"] = "Redirect";
        settings["Gateway:Sites:oss:Disposition"] = "Inline";
        settings["Gateway:Sites:oss:AllowedQuery:0"] = "versionId";
        settings["Gateway:Sites:oss:AllowedQuery:1"] = "x-oss-process";
        settings["Gateway:Sites:oss:AllowedQuery:2"] = "filename";
        settings["Gateway:Sites:oss:CacheControl"] = "  public, max-age=60  ";
        settings["Gateway:Stores:main:UrlLifetime"] = "00:15:00";
        GatewaySettings.AddSite(settings, "s3", "/s3", "S3", "dl.example.com");
        settings["Gateway:Sites:s3:AllowedQuery:0"] = "x-oss-process";
        settings["Gateway:Sites:s3:CacheControl"] = " ";

        SiteTable table = GatewaySettings.Build(settings);
        Site oss = table.Sites.Single(s => s.Name == "oss");
        Site s3 = table.Sites.Single(s => s.Name == "s3");

        Assert.Equal("/oss", oss.PathPrefix);
        Assert.Equal("public/", oss.KeyPrefix);
        Assert.Equal(DeliveryMode.Redirect, oss.Mode);
        Assert.Equal(DispositionType.Inline, oss.Disposition);
        Assert.True(oss.AllowsVersionId);
        Assert.True(oss.AllowsImageProcessing);
        Assert.True(oss.AllowsFileName);
        Assert.False(oss.AllowsInline);
        Assert.Equal("public, max-age=60", oss.CacheControl);
        Assert.Equal("main", oss.Store.Name);
        Assert.Equal(SigningScheme.OssV4, oss.Store.Scheme);
        Assert.Equal(TimeSpan.FromMinutes(15), oss.Store.UrlLifetime);
        Assert.Equal("examplebucket.oss-cn-hangzhou.aliyuncs.com", oss.Store.Location.Host);

        Assert.Equal(DeliveryMode.Proxy, s3.Mode);
        Assert.Equal(DispositionType.Attachment, s3.Disposition);
        Assert.False(s3.AllowsVersionId);
        Assert.False(s3.AllowsImageProcessing);
        Assert.False(s3.AllowsFileName);
        Assert.Null(s3.CacheControl);
        Assert.Equal(SigningScheme.S3V4, s3.Store.Scheme);
        Assert.Equal(TimeSpan.FromHours(1), s3.Store.UrlLifetime);
    }

    public static TheoryData<string, string> ProtectionSettings() => new()
    {
        { "Protection:Referers:Allowed:0", "example.com" },
        { "Protection:AllowedNetworks:0", "10.0.0.0/8" },
        { "Protection:DeniedNetworks:0", "203.0.113.0/24" },
        { "Protection:SignedLinks:Secrets:0", "a-signed-link-secret-0123456789" },
    };

    public static TheoryData<string, string, string, string?> ProtectedCacheControls()
    {
        var data = new TheoryData<string, string, string, string?>();
        foreach ((string setting, string value) in new[]
        {
            ("Protection:Referers:Allowed:0", "example.com"), ("Protection:AllowedNetworks:0", "10.0.0.0/8"),
            ("Protection:DeniedNetworks:0", "203.0.113.0/24"), ("Protection:SignedLinks:Secrets:0", "a-signed-link-secret-0123456789"),
        })
        {
            data.Add(setting, value, "public, max-age=86400", "has 'public'");
            data.Add(setting, value, "max-age=60, S-MaxAge=600, private", "has 'S-MaxAge'");
            data.Add(setting, value, "max-age=60", "has neither 'private' nor 'no-store'");
            data.Add(setting, value, "private=\"Set-Cookie\", max-age=60", "has neither 'private' nor 'no-store'");
            data.Add(setting, value, "private, max-age=60", null);
            data.Add(setting, value, "no-store", null);
        }

        return data;
    }

    /// <summary>A shared cache keys on the URL alone: a protected site's success must never be stored by one.</summary>
    [Theory]
    [MemberData(nameof(ProtectedCacheControls))]
    public void Protected_site_refuses_a_cache_control_that_a_shared_cache_may_store(string protection, string value, string cacheControl, string? problem)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:" + protection] = value;
        settings["Gateway:Sites:s:CacheControl"] = cacheControl;

        if (problem is null)
        {
            Assert.Equal(cacheControl, Assert.Single(GatewaySettings.Build(settings).Sites).CacheControl);
            return;
        }

        string error = Assert.Single(GatewaySettings.Errors(settings));
        Assert.StartsWith($"Gateway:Sites:s:CacheControl '{cacheControl}' {problem}, but the site restricts access", error, StringComparison.Ordinal);
        Assert.Contains("would serve the protected response to anyone", error, StringComparison.Ordinal);
        Assert.Contains("Protection:OriginSecret", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProtectionSettings))]
    public void Protected_site_without_cache_control_is_private(string protection, string value)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:" + protection] = value;

        Assert.Equal("private", Assert.Single(GatewaySettings.Build(settings).Sites).CacheControl);
    }

    [Fact]
    public void Rate_limit_alone_is_not_access_protection()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:Protection:RateLimit:PermitsPerSecond"] = "10";
        settings["Gateway:Sites:s:CacheControl"] = "public, max-age=86400";

        Assert.Equal("public, max-age=86400", Assert.Single(GatewaySettings.Build(settings).Sites).CacheControl);
        settings.Remove("Gateway:Sites:s:CacheControl");
        Assert.Null(Assert.Single(GatewaySettings.Build(settings).Sites).CacheControl);
    }

    [Fact]
    public void Origin_secret_alone_allows_public_but_not_with_another_protection()
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:Protection:OriginSecret:Header"] = "X-Origin-Secret";
        settings["Gateway:Sites:s:Protection:OriginSecret:Values:0"] = "origin-secret-0123456789abcdef";
        settings["Gateway:Sites:s:CacheControl"] = "public, max-age=86400";

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);
        Assert.Equal("public, max-age=86400", site.CacheControl);
        Assert.Equal("X-Origin-Secret", site.Protection.OriginSecretHeader);
        Assert.False(site.Protection.RestrictsAccess);

        settings["Gateway:Sites:s:Protection:Referers:Allowed:0"] = "example.com";
        string error = Assert.Single(GatewaySettings.Errors(settings));
        Assert.StartsWith("Gateway:Sites:s:CacheControl 'public, max-age=86400' has 'public', but the site restricts access", error, StringComparison.Ordinal);
        Assert.Contains("set Protection:OriginSecret:Header and :Values so that only the CDN reaches the gateway", error, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> OriginSecretMistakes() => new()
    {
        { ["Values:0=origin-secret-0123456789abcdef"], "Gateway:Sites:s:Protection:OriginSecret:Header is required with Values: name the header the CDN sends, such as X-Origin-Secret." },
        { ["Header=X-Origin-Secret"], "Gateway:Sites:s:Protection:OriginSecret:Values is empty: give at least one value, the one the CDN sends (two while rotating it)." },
        { ["Header=X-Origin-Secret", "Values:0=origin-secret-0123456789abcdef", "Values:1=too-short"], "Gateway:Sites:s:Protection:OriginSecret:Values:1 is shorter than 16 characters or has surrounding white space: use a random value of 32 characters or more." },
        { ["Header=X Origin", "Values:0=origin-secret-0123456789abcdef"], "Gateway:Sites:s:Protection:OriginSecret:Header 'X Origin' is not a header name: use letters, digits and '-', such as X-Origin-Secret." },
        { ["Header=range", "Values:0=origin-secret-0123456789abcdef"], "Gateway:Sites:s:Protection:OriginSecret:Header 'range' is a header the gateway uses or forwards: pick a name of its own, such as X-Origin-Secret." },
        { ["Header=Host", "Values:0=origin-secret-0123456789abcdef"], "Gateway:Sites:s:Protection:OriginSecret:Header 'Host' is a header the gateway uses or forwards: pick a name of its own, such as X-Origin-Secret." },
    };

    [Theory]
    [MemberData(nameof(OriginSecretMistakes))]
    public void Origin_secret_mistakes_name_the_setting_and_never_the_value(string[] values, string expectedMessage)
    {
        Dictionary<string, string?> settings = Valid();
        foreach (string value in values)
        {
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            settings["Gateway:Sites:s:Protection:OriginSecret:" + value[..equals]] = value[(equals + 1)..];
        }

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal([expectedMessage], errors);
        Assert.All(errors, e => Assert.DoesNotContain("origin-secret-", e, StringComparison.Ordinal));
    }

    /// <summary>A header the gateway forwards would carry the secret to the store: every one of them is refused.</summary>
    [Fact]
    public void Origin_secret_header_is_never_one_the_gateway_forwards()
    {
        foreach (string name in PresignGateway.Responses.DownloadHeaders.ForwardedRequestHeaders)
        {
            Dictionary<string, string?> settings = Valid();
            settings["Gateway:Sites:s:Protection:OriginSecret:Header"] = name;
            settings["Gateway:Sites:s:Protection:OriginSecret:Values:0"] = "origin-secret-0123456789abcdef";

            Assert.Equal(
                [$"Gateway:Sites:s:Protection:OriginSecret:Header '{name}' is a header the gateway uses or forwards: pick a name of its own, such as X-Origin-Secret."],
                GatewaySettings.Errors(settings));
        }
    }

    [Fact]
    public void No_message_quotes_a_secret_or_a_token()
    {
        const string Secret = "Sup3rS3cretValue/xyz";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in new[] { "a", "b", "c", "d", "e", "f" })
        {
            GatewaySettings.AddStore(settings, name);
            settings[$"Gateway:Stores:{name}:AccessKeySecret"] = Secret;
            settings[$"Gateway:Stores:{name}:SecurityToken"] = Token;
        }

        settings["Gateway:Stores:a:AccessKeySecret"] = Secret + "\u00e9";
        settings["Gateway:Stores:b:SecurityToken"] = Token + " x";
        settings.Remove("Gateway:Stores:c:AccessKeyId");
        settings["Gateway:Stores:d:UrlLifetime"] = "2.00:00:00";
        settings["Gateway:Stores:e:Bucket"] = "my.bucket";
        settings["Gateway:Stores:f:Provider"] = "nope";
        AddEnvironment(settings, ["OSS_ACCESS_KEY_SECRET=" + Secret, "OSS_SESSION_TOKEN=" + Token]);
        GatewaySettings.AddSite(settings, "s", "/", "a", "dl.example.com");

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.DoesNotContain("Sup3rS3cret", e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("sts/token", e, StringComparison.Ordinal));
    }

    private static void Set(Dictionary<string, string?> settings, string key, string? value)
    {
        if (value is null)
        {
            settings.Remove(key);
        }
        else
        {
            settings[key] = value;
        }
    }

    private static void AddEnvironment(Dictionary<string, string?> settings, string[] variables)
    {
        foreach (string variable in variables)
        {
            int equals = variable.IndexOf('=', StringComparison.Ordinal);
            settings[variable[..equals]] = variable[(equals + 1)..];
        }
    }
}
