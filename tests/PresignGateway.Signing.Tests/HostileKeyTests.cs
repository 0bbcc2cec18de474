using System.Text;
using System.Text.RegularExpressions;
using CsCheck;

namespace PresignGateway.Signing.Tests;

/// <summary>
/// Object names that break naive signers, and random ones: the emitted path decodes back to the key exactly once
/// (never double-encoded), uses only unreserved characters and uppercase escapes, and the signature equals a plain
/// implementation of the spec.
/// </summary>
public sealed partial class HostileKeyTests
{
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);

    public static readonly string[] HostileKeys =
    [
        "plus+plus.txt", "'(1).txt", "a=b@c", "%bad%name%", "double  spaces.txt", "报告/2024年度报告.pdf", "Привет мир.txt",
        "emoji/😀🎉 party.png", new string('k', 1000), " leading and trailing ", "a//b///c.txt", "q/a#b?c&d=e.txt",
        "100%25.txt", "semi;colon,comma.txt", "tilde~star*bang!.txt", "back\\slash.txt", "dir/", "x", "\"quoted\".txt",
        "a/./b/../c", "%2F%2e%2E.txt", "é-composed.txt", "e\u0301-decomposed.txt", "\u202Eright-to-left.txt", "[brackets]{braces}|pipe^caret`.txt",
    ];

    public static TheoryData<string> Keys() => [.. HostileKeys];

    public static TheoryData<SigningScheme, AddressingStyle> Layouts() => new()
    {
        { SigningScheme.OssV4, AddressingStyle.VirtualHosted },
        { SigningScheme.OssV4, AddressingStyle.Path },
        { SigningScheme.OssV4, AddressingStyle.CustomDomain },
        { SigningScheme.OssV1, AddressingStyle.VirtualHosted },
        { SigningScheme.OssV1, AddressingStyle.Path },
        { SigningScheme.S3V4, AddressingStyle.VirtualHosted },
        { SigningScheme.S3V4, AddressingStyle.Path },
        { SigningScheme.S3V4, AddressingStyle.CustomDomain },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Hostile_key_round_trips_and_matches_the_reference_in_every_layout(string key)
    {
        foreach (SigningScheme scheme in Enum.GetValues<SigningScheme>())
        {
            foreach (AddressingStyle addressing in Enum.GetValues<AddressingStyle>())
            {
                AssertKeyProperties(scheme, addressing, key, [new("response-content-disposition", "attachment; filename*=UTF-8''" + Uri.EscapeDataString(key))]);
            }
        }
    }

    [Fact]
    public void Random_keys_and_parameters_round_trip_and_match_the_reference()
    {
        string[] pieces =
        [
            "a", "Z", "0", "-", ".", "_", "~", "/", "//", " ", "+", "%", "%2F", "%25", "=", "&", "?", "#", "'", "(", ")", "*", "!", ";", ",",
            ":", "@", "$", "\\", "\"", "<", ">", "[", "]", "{", "}", "|", "^", "`", "é", "ß", "年", "报", "Я", "ж", "😀", "🎉", "\u00A0",
            "\u2028", "\uFEFF", "..", "x-oss-", "X-Amz-",
        ];
        Gen<string> text = Gen.Int[0, pieces.Length - 1].Array[1, 24].Select(indexes => string.Concat(indexes.Select(i => pieces[i])));
        Gen<QueryParameter[]> query = Gen.Select(text, text, (n, v) => new QueryParameter("p" + n, v)).Array[0, 3]
            .Where(ps => ps.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() == ps.Length);
        Gen<string> key = text.Where(k => k[0] is not ('/' or '\\'));

        Gen.Select(Gen.Enum<SigningScheme>(), Gen.Enum<AddressingStyle>(), key, query)
            .Sample((scheme, addressing, k, q) => AssertKeyProperties(scheme, addressing, k, q), iter: 3000);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Key_with_only_unreserved_characters_is_copied_verbatim(SigningScheme scheme, AddressingStyle addressing)
    {
        PresignedUrl url = Presign(scheme, addressing, "Az09-._~/dir/file.txt", []);

        Assert.Contains("/Az09-._~/dir/file.txt?", url.Url, StringComparison.Ordinal);
    }

    private static void AssertKeyProperties(SigningScheme scheme, AddressingStyle addressing, string key, QueryParameter[] query)
    {
        if (scheme != SigningScheme.S3V4 && key[0] is '/' or '\\')
        {
            return;
        }

        PresignedUrl url = Presign(scheme, addressing, key, query);
        (string origin, string path, string rawQuery) = UrlComparison.Split(url.Url);

        Assert.Matches(StrictPath(), path);
        string keyPath = addressing == AddressingStyle.Path ? path["/examplebucket".Length..] : path;
        Assert.Equal("/" + key, Uri.UnescapeDataString(keyPath));
        Assert.Equal(Encoding.UTF8.GetBytes("/" + key), DecodeBytes(keyPath));

        List<string> decodedQuery = UrlComparison.DecodeQuery(rawQuery);
        foreach (QueryParameter parameter in query)
        {
            Assert.Contains(parameter.Name + "=" + parameter.Value, decodedQuery);
        }

        var credentials = TestCredentials(scheme);
        string expected = scheme switch
        {
            SigningScheme.OssV4 => ReferenceSigner.OssV4Signature("GET", "examplebucket", key, "cn-hangzhou", credentials.AccessKeyId, credentials.AccessKeySecret, null, SignTime, 900, query),
            SigningScheme.OssV1 => ReferenceSigner.OssV1Signature("GET", "examplebucket", key, credentials.AccessKeySecret, null, SignTime.ToUnixTimeSeconds() + 900, query),
            _ => ReferenceSigner.S3V4Signature("GET", origin[(origin.IndexOf("://", StringComparison.Ordinal) + 3)..], path, "us-east-1", credentials.AccessKeyId, credentials.AccessKeySecret, null, SignTime, 900, query),
        };
        string signatureName = scheme switch { SigningScheme.OssV4 => "x-oss-signature", SigningScheme.OssV1 => "Signature", _ => "X-Amz-Signature" };
        Assert.Equal(expected, UrlComparison.QueryValue(url.Url, signatureName));
    }

    internal static PresignedUrl Presign(SigningScheme scheme, AddressingStyle addressing, string key, QueryParameter[] query)
    {
        string endpoint = scheme == SigningScheme.S3V4 ? "https://s3.us-east-1.amazonaws.com" : "https://oss-cn-hangzhou.aliyuncs.com";
        string region = scheme == SigningScheme.S3V4 ? "us-east-1" : "cn-hangzhou";
        var location = BucketLocation.Create(endpoint, region, "examplebucket", addressing);
        var request = new PresignRequest(PresignMethod.Get, key, TimeSpan.FromSeconds(900), query);
        return StoreProviders.Get(scheme).CreatePresigner().Presign(location, request, TestCredentials(scheme), SignTime);
    }

    private static Credentials TestCredentials(SigningScheme scheme) => scheme == SigningScheme.S3V4
        ? new Credentials("AKIDEXAMPLE00000001", "s3cr3t/EXAMPLE+key=")
        : new Credentials("test-access-key-id", "TestSecret/abc+123=xyz");

    /// <summary>Percent-decodes to raw bytes, so that an invalid UTF-8 result (a broken escape) can't hide behind U+FFFD.</summary>
    private static byte[] DecodeBytes(string encoded)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%')
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Only unreserved characters, '/' and uppercase %XX escapes.</summary>
    [GeneratedRegex("^(?:[A-Za-z0-9._~/-]|%[0-9A-F]{2})+$")]
    private static partial Regex StrictPath();
}
