using System.Text;
using PresignGateway.Sites;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// The raw request target: its path part (origin-form and absolute-form, query and fragment stripped), percent-decoded
/// exactly once into strict UTF-8; and the object-key rules applied before anything is signed.
/// </summary>
public sealed class RequestPathTests
{
    public static TheoryData<string, string> Targets() => new()
    {
        { "/a/b.txt", "/a/b.txt" },
        { "/", "/" },
        { "/a/b?x=1&y=2", "/a/b" },
        { "/a/b?x=/c#d", "/a/b" },
        { "/a/b#frag", "/a/b" },
        { "/a?", "/a" },
        { "//double//slash", "//double//slash" },
        { "/a%3Fb?c", "/a%3Fb" },
        { "http://downloads.example.com/a/b.txt", "/a/b.txt" },
        { "https://downloads.example.com:8443/a/b.txt?x=1", "/a/b.txt" },
        { "HTTP://Downloads.Example.com/A/B", "/A/B" },
        { "http://downloads.example.com/a#frag", "/a" },
        { "http://downloads.example.com", "/" },
        { "http://downloads.example.com/", "/" },
        { "http://downloads.example.com?x=1", "/" },
        { "http://downloads.example.com?next=/secret.txt", "/" },
        { "*", "" },
        { "downloads.example.com:443", "" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void Path_of_a_target_is_the_part_before_query_and_fragment(string rawTarget, string expectedPath)
    {
        Assert.Equal(expectedPath, RequestPath.PathOf(rawTarget).ToString());
    }

    public static TheoryData<string, string> Decodings() => new()
    {
        { "/plain/path.txt", "/plain/path.txt" },
        { "/a%20b", "/a b" },
        { "/a%2Fb", "/a/b" },
        { "/a%2fb", "/a/b" },
        { "/a%252Fb", "/a%2Fb" },
        { "/100%2525", "/100%25" },
        { "/plus+plus.txt", "/plus+plus.txt" },
        { "/a%2Bb", "/a+b" },
        { "/%C3%A9t%C3%A9", "/été" },
        { "/%c3%a9t%c3%a9", "/été" },
        { "/%e6%8A%a5%E5%91%8A", "/报告" },
        { "/%F0%9F%98%80.png", "/😀.png" },
        { "/报告/2024.pdf", "/报告/2024.pdf" },
        { "/报告%20x/é%2Fy", "/报告 x/é/y" },
        { "/😀%20🎉", "/😀 🎉" },
        { "/%2e%2e/x", "/../x" },
        { "/a%00b", "/a\0b" },
        { "/%41%42", "/AB" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Decodings))]
    public void Path_is_decoded_exactly_once(string rawPath, string expected)
    {
        bool decoded = RequestPath.TryDecode(rawPath, out string path, out string? error);

        Assert.True(decoded, error);
        Assert.Null(error);
        Assert.Equal(expected, path);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "/a%", "two hex digits" },
        { "/a%2", "two hex digits" },
        { "/%2", "two hex digits" },
        { "/a%zz", "two hex digits" },
        { "/a%2g", "two hex digits" },
        { "/a%g2", "two hex digits" },
        { "/a%%41", "two hex digits" },
        { "/é%", "two hex digits" },
        { "/%ff", "valid UTF-8" },
        { "/%FE", "valid UTF-8" },
        { "/%c0%af", "valid UTF-8" },
        { "/%C0%80", "valid UTF-8" },
        { "/%e0%80%af", "valid UTF-8" },
        { "/%80", "valid UTF-8" },
        { "/a%bf", "valid UTF-8" },
        { "/%c3", "valid UTF-8" },
        { "/%e6%8a", "valid UTF-8" },
        { "/%ed%a0%80", "valid UTF-8" },
        { "/%f4%90%80%80", "valid UTF-8" },
        { "/é%ff", "valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_escapes_and_invalid_utf8_are_refused_with_a_reason(string rawPath, string reason)
    {
        bool decoded = RequestPath.TryDecode(rawPath, out string path, out string? error);

        Assert.False(decoded);
        Assert.Equal("", path);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    public static TheoryData<string> AllowedKeys() =>
    [
        "a", "a/b/c.txt", "...", ".hidden", "a..b", "a/.../b", "..a", "a..", "a/.b/c.", "a//b", "dir/", "/leading", "plus+plus.txt",
        "100%25.txt", "报告/2024年度报告.pdf", "😀🎉 party.png", " spaced ", "\u00A0nbsp", "\u00A0", "\u202Eright-to-left.txt",
    ];

    [Theory]
    [MemberData(nameof(AllowedKeys))]
    public void Allowed_keys_pass_the_rules(string key)
    {
        Assert.Null(ObjectKeyRules.Check(key));
    }

    public static TheoryData<string, string> RefusedKeys() => new()
    {
        { "", "names no object" },
        { ".", "'.' or '..' segment" },
        { "..", "'.' or '..' segment" },
        { "./x", "'.' or '..' segment" },
        { "../x", "'.' or '..' segment" },
        { "a/.", "'.' or '..' segment" },
        { "a/..", "'.' or '..' segment" },
        { "a/./b", "'.' or '..' segment" },
        { "a/../b", "'.' or '..' segment" },
        { "a//../b", "'.' or '..' segment" },
        { "/..", "'.' or '..' segment" },
        { "a\0b", "control character" },
        { "\u0001", "control character" },
        { "tab\there", "control character" },
        { "line\nfeed", "control character" },
        { "carriage\rreturn", "control character" },
        { "unit\u001Fseparator", "control character" },
        { "delete\u007F", "control character" },
        { "c1\u0080", "control character" },
        { "nel\u0085", "control character" },
        { "c1\u009F", "control character" },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public void Refused_keys_name_the_rule(string key, string reason)
    {
        string? problem = ObjectKeyRules.Check(key);

        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, int> KeysAtTheLimit() => new()
    {
        { new string('k', 1023), 1023 },
        { new string('é', 511) + "k", 1023 },
        { new string('报', 341), 1023 },
        { string.Concat(Enumerable.Repeat("😀", 255)) + "abc", 1023 },
        { "a/" + new string('b', 1021), 1023 },
    };

    [Theory]
    [MemberData(nameof(KeysAtTheLimit))]
    public void Key_of_1023_utf8_bytes_is_allowed(string key, int bytes)
    {
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(key));
        Assert.Null(ObjectKeyRules.Check(key));
    }

    public static TheoryData<string, int> KeysOverTheLimit() => new()
    {
        { new string('k', 1024), 1024 },
        { new string('é', 512), 1024 },
        { new string('报', 341) + "k", 1024 },
        { new string('报', 342), 1026 },
        { string.Concat(Enumerable.Repeat("😀", 256)), 1024 },
        { string.Concat(Enumerable.Repeat("😀", 255)) + "abcd", 1024 },
    };

    [Theory]
    [MemberData(nameof(KeysOverTheLimit))]
    public void Key_over_1023_utf8_bytes_is_refused_even_when_it_has_fewer_characters(string key, int bytes)
    {
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(key));
        Assert.True(key.Length <= 1024);

        string? problem = ObjectKeyRules.Check(key);

        Assert.NotNull(problem);
        Assert.Contains("longer than 1023 bytes", problem, StringComparison.Ordinal);
    }
}
