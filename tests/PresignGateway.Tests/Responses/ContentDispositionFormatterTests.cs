using System.Text;
using CsCheck;
using PresignGateway.Configuration;
using PresignGateway.Responses;
using PresignGateway.Sites;
using HttpContentDisposition = System.Net.Http.Headers.ContentDispositionHeaderValue;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Content-Disposition for any cleaned name: printable ASCII only (no header injection), parseable by a standard
/// parser, with the exact name in <c>filename*</c> and an ASCII <c>filename</c> fallback.
/// </summary>
public sealed class ContentDispositionFormatterTests
{
    public static TheoryData<string> AsciiNames() =>
    [
        "report.pdf", "report 2024.pdf", "plus+plus.txt", "a=b@c", "%bad%name%", "100%25.txt", "'(1).txt", "\"quoted\".txt", "say \"hi\"",
        "back\\slash.txt", "semi;colon,comma.txt", "q?a#b&c=d.txt", "[brackets]{braces}|pipe^caret`.txt", "tilde~star*bang!.txt", "double  spaces.txt",
        "a'b", "x", "...", ".hidden", "<script>.html", "\\", "\"", "\\\"", "filename=evil.exe; x=", "a:b/c",
    ];

    [Theory]
    [MemberData(nameof(AsciiNames))]
    public void Ascii_name_round_trips_in_filename_and_filename_star(string name)
    {
        foreach ((DispositionType type, string expectedType) in new[] { (DispositionType.Attachment, "attachment"), (DispositionType.Inline, "inline") })
        {
            string value = ContentDispositionFormatter.Format(type, name);

            AssertPrintableAscii(value);
            HttpContentDisposition parsed = HttpContentDisposition.Parse(value);
            Assert.Equal(expectedType, parsed.DispositionType);
            Assert.Equal(name, Unquote(RawParameter(parsed, "filename")));
            Assert.Equal(name, parsed.FileNameStar);
            Assert.Equal(2, parsed.Parameters.Count);
        }
    }

    [Theory]
    [InlineData("\"quoted\"", "_quoted\"")]
    [InlineData("=?utf-8?B?ZXZpbC5leGU=?=", "_?utf-8?B?ZXZpbC5leGU=?=")]
    [InlineData("x=?utf-8?B?ZXZpbC5leGU=?=", "x_?utf-8?B?ZXZpbC5leGU=?=")]
    [InlineData("=?utf-8?Q?evil.exe?=.txt", "_?utf-8?Q?evil.exe?=.txt")]
    [InlineData("report =?iso-8859-1?q?caf=E9?= 2024.pdf", "report _?iso-8859-1?q?caf=E9?= 2024.pdf")]
    [InlineData("a=?x?b?c?=b=?y?q?d?=.txt", "a_?x?b?c?=b_?y?q?d?=.txt")]
    [InlineData("=?utf-8?B?5oql5ZGK?=报.txt", "_?utf-8?B?5oql5ZGK?=_.txt")]
    [InlineData("what=?.txt", "what=?.txt")]
    [InlineData("a?=b=?c", "a?=b=?c")]
    public void Ascii_fallback_never_looks_quoted_or_encoded(string name, string expectedFallback)
    {
        string value = ContentDispositionFormatter.Format(DispositionType.Attachment, name);

        HttpContentDisposition parsed = HttpContentDisposition.Parse(value);
        Assert.Equal(expectedFallback, Unquote(RawParameter(parsed, "filename")));
        Assert.Equal(name, parsed.FileNameStar);
    }

    public static TheoryData<string, string> NonAsciiNames() => new()
    {
        { "报告.pdf", "__.pdf" },
        { "2024年度报告.pdf", "2024____.pdf" },
        { "Привет мир.txt", "______ ___.txt" },
        { "😀🎉 party.png", "__ party.png" },
        { "é-composed.txt", "_-composed.txt" },
        { "e\u0301.txt", "e_.txt" },
        { "\u00A0nbsp inside\u00A0x", "_nbsp inside_x" },
        { "naïve \"café\"; x,y.txt", "na_ve \"caf_\"; x,y.txt" },
        { "back\\slash-ü.txt", "back\\slash-_.txt" },
        { "%E6%8A%A5 报.txt", "%E6%8A%A5 _.txt" },
        { "'ÿ'", "'_'" },
    };

    [Theory]
    [MemberData(nameof(NonAsciiNames))]
    public void Non_ascii_name_round_trips_in_filename_star_with_an_ascii_fallback(string name, string expectedFallback)
    {
        foreach ((DispositionType type, string expectedType) in new[] { (DispositionType.Attachment, "attachment"), (DispositionType.Inline, "inline") })
        {
            string value = ContentDispositionFormatter.Format(type, name);

            AssertPrintableAscii(value);
            HttpContentDisposition parsed = HttpContentDisposition.Parse(value);
            Assert.Equal(expectedType, parsed.DispositionType);
            Assert.Equal(name, parsed.FileNameStar);
            Assert.Equal(expectedFallback, Unquote(RawParameter(parsed, "filename")));
            Assert.StartsWith("UTF-8''", parsed.Parameters.Single(p => p.Name == "filename*").Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Simple_names_have_the_expected_header_text()
    {
        Assert.Equal("attachment; filename=report.pdf; filename*=UTF-8''report.pdf", ContentDispositionFormatter.Format(DispositionType.Attachment, "report.pdf"));
        Assert.Equal("inline; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf", ContentDispositionFormatter.Format(DispositionType.Inline, "report 2024.pdf"));
        Assert.Equal("attachment; filename=__.pdf; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf", ContentDispositionFormatter.Format(DispositionType.Attachment, "报告.pdf"));
    }

    [Fact]
    public void Random_hostile_names_never_inject_headers_and_round_trip_after_cleaning()
    {
        Gen<string> ascii = Gen.Char['\u0020', '\u007E'].Select(c => c.ToString());
        Gen<string> controls = Gen.Char['\u0000', '\u001F'].Select(c => c.ToString());
        Gen<string> hostile = Gen.OneOf(
            "\r\n", "\r", "\n", "\0", "\u007F", "\u0085", "\u009B", "\u2028", "\u2029", "\u202A", "\u202E", "\u2066", "\u2069", "\u200E", "\u200F",
            "\u061C", "\uFEFF", "\"", "\\", ";", ",", "/", "%", "'", "*", "=", "?", "%0D%0A", "\r\nSet-Cookie: a=b", "; filename=evil.exe", "..", ".", " ",
            "=?utf-8?B?", "?=", "UTF-8''", "\t", "\u00A0", "\u3000");
        Gen<string> unicode = Gen.OneOf("报", "告", "é", "ß", "Я", "ж", "😀", "🎉", "e\u0301", "\U0001F468\u200D\U0001F469");
        Gen<string> anyChar = Gen.Char.Select(c => c.ToString());
        Gen<string> surrogates = Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString());
        Gen<string> piece = Gen.Frequency<string>((6, ascii), (2, controls), (4, hostile), (3, unicode), (2, anyChar), (1, surrogates));
        Gen<string> names = Gen.Frequency<string[]>((9, piece.Array[0, 40]), (1, piece.Array[150, 260])).Select(string.Concat);

        int formatted = 0;
        names.Sample(
            name =>
            {
                string? cleaned = DownloadFileName.Clean(name);
                if (cleaned is null)
                {
                    return;
                }

                Interlocked.Increment(ref formatted);
                Assert.True(cleaned.Length <= DownloadFileName.MaxLength);
                foreach (DispositionType type in new[] { DispositionType.Attachment, DispositionType.Inline })
                {
                    string value = ContentDispositionFormatter.Format(type, cleaned);

                    AssertPrintableAscii(value);
                    HttpContentDisposition parsed = HttpContentDisposition.Parse(value);
                    Assert.Equal(type == DispositionType.Inline ? "inline" : "attachment", parsed.DispositionType);
                    Assert.Equal(cleaned, parsed.FileNameStar);
                    Assert.NotNull(parsed.FileName);
                }
            },
            iter: 6000);

        Assert.True(formatted > 3000, $"Only {formatted} of 6000 random names survived cleaning; the generator is too hostile to test the formatter.");
    }

    private static void AssertPrintableAscii(string value)
    {
        foreach (char c in value)
        {
            Assert.True(c is >= '\u0020' and <= '\u007E', $"U+{(int)c:X4} in header value: {value}");
        }
    }

    /// <summary>A parameter as written, before any unquoting or decoding by the parser.</summary>
    private static string RawParameter(HttpContentDisposition parsed, string name)
        => parsed.Parameters.Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value!;

    /// <summary>The value of a token or quoted-string (RFC 9110 section 5.6.4), with quoted-pairs unescaped.</summary>
    private static string? Unquote(string? value)
    {
        if (value is null || value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (int i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1)
            {
                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }
}
