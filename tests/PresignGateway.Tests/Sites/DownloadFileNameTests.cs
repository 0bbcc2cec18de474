using System.Text;
using PresignGateway.Sites;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// The documented rule for a requested download name: keep the part after the last '/' or '\', remove control
/// characters, line and paragraph separators, bidi controls, zero-width characters, the BOM and unpaired surrogates, trim, shorten to 200
/// characters keeping the extension, and refuse what is left empty, "." or "..".
/// </summary>
public sealed class DownloadFileNameTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static TheoryData<string, string?> Names() => new()
    {
        { "report.pdf", "report.pdf" },
        { "../../etc/passwd", "passwd" },
        { "/etc/passwd", "passwd" },
        { "a\\b.txt", "b.txt" },
        { "C:\\Users\\me\\file.txt", "file.txt" },
        { "dir/sub\\mixed/x.txt", "x.txt" },
        { "dir\\sub/mixed\\x.txt", "x.txt" },
        { "a\r\nb.txt", "ab.txt" },
        { "a\rSet-Cookie: x=1", "aSet-Cookie: x=1" },
        { "a\0b", "ab" },
        { "a\tb", "ab" },
        { "a\u001Fb", "ab" },
        { "a\u007Fb", "ab" },
        { "a\u0080b\u0085c\u009Bd\u009Fe", "abcde" },
        { "a\u2028b\u2029c", "abc" },
        { "\u202Etxt.exe", "txt.exe" },
        { "a\u202Ab\u202Bc\u202Cd\u202De\u202Ef", "abcdef" },
        { "\u2066a\u2067b\u2068c\u2069", "abc" },
        { "\u200Ea\u200Fb\u061Cc", "abc" },
        { "\uFEFFname.txt", "name.txt" },
        { "in\u200Bvisible.txt", "invisible.txt" },
        { "a\u200Bb\u200Cc\u200Dd\u2060e", "abcde" },
        { "\u200Bname.exe\u200B", "name.exe" },
        { "\u200B \u2060", null },
        { "\U0001F468\u200D\U0001F469.png", "\U0001F468\U0001F469.png" },
        { "a\u200Ab\u2061c", "a\u200Ab\u2061c" },
        { "na\uFEFFme.txt", "name.txt" },
        { "  spaced name.txt  ", "spaced name.txt" },
        { "\u3000wide\u3000", "wide" },
        { " \r\n name \t", "name" },
        { "\u202E name \u202E", "name" },
        { "double  spaces.txt", "double  spaces.txt" },
        { "\"quoted\".txt", "\"quoted\".txt" },
        { "\"quoted\"", "\"quoted\"" },
        { "semi;colon,comma.txt", "semi;colon,comma.txt" },
        { "a'b(1)=@%+&#?.txt", "a'b(1)=@%+&#?.txt" },
        { "报告.pdf", "报告.pdf" },
        { "Привет мир.txt", "Привет мир.txt" },
        { "😀🎉 party.png", "😀🎉 party.png" },
        { "e\u0301", "e\u0301" },
        { "\u00A0nbsp\u00A0", "nbsp" },
        { "...", "..." },
        { ".hidden", ".hidden" },
        { "a..b", "a..b" },
        { "", null },
        { " ", null },
        { ".", null },
        { "..", null },
        { " .. ", null },
        { "\u202E.\u202E", null },
        { "a/", null },
        { "a/..", null },
        { "a\\.", null },
        { "/", null },
        { "\\", null },
        { "\r\n", null },
        { "\u202E\u2066\uFEFF", null },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Requested_name_is_cleaned_by_the_documented_rule(string requested, string? expected)
    {
        Assert.Equal(expected, DownloadFileName.Clean(requested));
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("dir/sub/2024年度报告.pdf")]
    [InlineData("😀🎉 party.png")]
    public void A_clean_name_allocates_nothing_beyond_its_last_segment(string requested)
    {
        string expected = requested[(requested.LastIndexOf('/') + 1)..];
        Assert.Equal(expected, DownloadFileName.Clean(requested)); // warm up: the first call may allocate for JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        string? cleaned = DownloadFileName.Clean(requested);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A whole-input name comes back as the same string; a last segment costs exactly that one string.
        Assert.Equal(expected, cleaned);
        long expectedBytes = ReferenceEquals(cleaned, requested) ? 0 : AllocatedBytes(() => expected.AsSpan().ToString());
        Assert.Equal(expectedBytes, allocated);
    }

    private static long AllocatedBytes(Func<string> allocate)
    {
        allocate();
        long before = GC.GetAllocatedBytesForCurrentThread();
        allocate();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Unpaired surrogates don't survive theory-data serialisation, so these cases live in the test itself.</summary>
    [Fact]
    public void Unpaired_surrogates_are_removed_and_pairs_kept()
    {
        (string Requested, string? Expected)[] cases =
        [
            ("a\uD800b", "ab"), ("a\uDC00b", "ab"), ("x\uDE00\uD83Dy", "xy"), ("end\uD83D", "end"), ("\uDE00start", "start"),
            ("\uD800", null), ("\uDFFF\uD800", null), ("\uD83D\uDE00", "\uD83D\uDE00"), ("a\uD83D\uD83D\uDE00b", "a\uD83D\uDE00b"),
        ];

        foreach ((string requested, string? expected) in cases)
        {
            Assert.Equal(expected, DownloadFileName.Clean(requested));
        }
    }

    public static TheoryData<string, string> LongNames() => new()
    {
        { new string('x', 200), new string('x', 200) },
        { new string('x', 201), new string('x', 200) },
        { new string('x', 250) + ".txt", new string('x', 196) + ".txt" },
        { new string('x', 250) + ".tar.gz", new string('x', 197) + ".gz" },
        { new string('x', 250) + "." + new string('e', 15), new string('x', 184) + "." + new string('e', 15) },
        { new string('x', 250) + "." + new string('e', 16), new string('x', 200) },
        { "." + new string('x', 250), "." + new string('x', 199) },
        { new string('x', 190) + new string(' ', 20) + new string('y', 50) + ".txt", new string('x', 190) + ".txt" },
        { string.Concat(Enumerable.Repeat("😀", 150)), string.Concat(Enumerable.Repeat("😀", 100)) },
        { "a" + string.Concat(Enumerable.Repeat("😀", 150)), "a" + string.Concat(Enumerable.Repeat("😀", 99)) },
        { string.Concat(Enumerable.Repeat("😀", 150)) + ".png", string.Concat(Enumerable.Repeat("😀", 98)) + ".png" },
        { "a" + string.Concat(Enumerable.Repeat("😀", 150)) + ".png", "a" + string.Concat(Enumerable.Repeat("😀", 97)) + ".png" },
        { new string('报', 300) + ".pdf", new string('报', 196) + ".pdf" },
        { "dir/" + new string('x', 300) + ".zip", new string('x', 196) + ".zip" },
    };

    [Theory]
    [MemberData(nameof(LongNames))]
    public void Long_name_is_shortened_to_200_keeping_the_extension_and_whole_surrogate_pairs(string requested, string expected)
    {
        string? cleaned = DownloadFileName.Clean(requested);

        Assert.NotNull(cleaned);
        Assert.Equal(expected, cleaned);
        Assert.True(cleaned.Length <= DownloadFileName.MaxLength);
        Assert.Equal(cleaned, StrictUtf8.GetString(StrictUtf8.GetBytes(cleaned)));
    }

    [Theory]
    [InlineData("a/b/report.pdf", "report.pdf")]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("dir/", "download")]
    [InlineData("a//", "download")]
    [InlineData("a/ ", "download")]
    [InlineData("a/\u202E", "download")]
    [InlineData("a/b\r\n.txt", "b.txt")]
    [InlineData("报告/2024年度报告.pdf", "2024年度报告.pdf")]
    public void Name_from_a_key_is_its_last_segment_or_download(string key, string expected)
    {
        Assert.Equal(expected, DownloadFileName.FromKey(key));
    }
}
