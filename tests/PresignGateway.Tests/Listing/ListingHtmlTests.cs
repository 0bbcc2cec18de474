using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using CsCheck;
using PresignGateway.Listing;

namespace PresignGateway.Tests.Listing;

/// <summary>
/// The listing page parses (it is written as polyglot markup, so an XML parser reads it strictly), shows every name
/// escaped with invisible characters written out, and every link decodes back to the real name.
/// </summary>
public sealed class ListingHtmlTests
{
    private static readonly DateTimeOffset Modified = new(2026, 12, 3, 12, 34, 56, 789, TimeSpan.Zero);

    [Fact]
    public void Any_names_parse_escape_and_round_trip_through_their_links()
    {
        Gen<string> ascii = Gen.Char['\u0020', '\u007E'].Where(c => c != '/').Select(c => c.ToString());
        Gen<string> controls = Gen.Char['\u0000', '\u001F'].Select(c => c.ToString());
        Gen<string> hostile = Gen.OneOf("<script>alert(1)</script>", "\"", "'", "&amp;", "&", "javascript:", "%2F", "%", "+", "?", "#", "\u202E", "\u2066", "\u200F", "\u0085", "\u007F", "..", " ");
        Gen<string> unicode = Gen.OneOf("报", "告", "é", "Я", "😀", "e\u0301", "\U0001F468\u200D\U0001F469");
        Gen<string> name = Gen.Frequency<string>((6, ascii), (2, controls), (4, hostile), (3, unicode)).Array[1, 30].Select(string.Concat);
        Gen<(string Name, bool Directory)[]> entries = Gen.Select(name, Gen.Bool).Array[0, 20];

        entries.Sample(sample =>
        {
            ListingEntry[] listed = [.. sample.DistinctBy(e => e.Name).Select(e => new ListingEntry(e.Name, e.Directory, 1234, Modified, "etag"))];
            var view = new ListingView("/site/dir <x>/", "/site/", new ListingPage(listed, null), "abc.def", null);

            string html = ListingHtml.Render(view);
            XElement[] rows = Rows(html);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(html), ListingHtml.RenderUtf8(view));

            // The parent row, then one row per entry, in order, each with one link.
            Assert.Equal(listed.Length + 1, rows.Length);
            for (int i = 0; i < listed.Length; i++)
            {
                XElement link = rows[i + 1].Descendants("a").Single();
                string href = link.Attribute("href")!.Value;
                string expectedText = VisibleName.Of(listed[i].Name) + (listed[i].IsDirectory ? "/" : "");
                Assert.Equal(expectedText, link.Value);
                Assert.DoesNotContain(link.Value, c => VisibleName.NeedsEscape(c));
                Assert.StartsWith("/site/dir%20%3Cx%3E/", href, StringComparison.Ordinal);
                string encodedName = href["/site/dir%20%3Cx%3E/".Length..];
                Assert.DoesNotContain(':', encodedName);
                Assert.Equal(listed[i].Name + (listed[i].IsDirectory ? "/" : ""), Uri.UnescapeDataString(encodedName));
            }
        }, iter: 300);
    }

    [Fact]
    public void The_page_has_a_title_breadcrumb_parent_link_table_headers_sizes_dates_and_next_link()
    {
        ListingEntry[] entries = [new("sub", true, 0, null, null), new("a&b.zip", false, 1536, Modified, "e")];
        string html = ListingHtml.Render(new ListingView("/site/rel/1.0/", "/site/", new ListingPage(entries, null), "tok.tag", null));

        XDocument page = Parse(html);
        Assert.Equal("en", page.Root!.Attribute("lang")!.Value);
        Assert.Equal("Index of /site/rel/1.0/", page.Descendants("title").Single().Value);
        Assert.Equal(["/site/", "/site/rel/"], page.Descendants("nav").First().Elements("a").Select(a => a.Attribute("href")!.Value));
        Assert.Equal(["Name", "Size", "Last modified (UTC)"], page.Descendants("th").Select(th => th.Value));
        XElement[] rows = [.. page.Descendants("tbody").Single().Elements("tr")];
        Assert.Equal("/site/rel/", rows[0].Descendants("a").Single().Attribute("href")!.Value);
        Assert.Equal("/site/rel/1.0/sub/", rows[1].Descendants("a").Single().Attribute("href")!.Value);
        XElement[] file = [.. rows[2].Elements("td")];
        Assert.Equal("/site/rel/1.0/a%26b.zip", file[0].Element("a")!.Attribute("href")!.Value);
        Assert.Equal("1.5 KiB", file[1].Value);
        Assert.Equal("1,536 bytes", file[1].Attribute("title")!.Value);
        Assert.Equal("2026-12-03T12:34:56Z", file[2].Value);
        Assert.Equal("?page=tok.tag", page.Descendants("a").Single(a => a.Value == "Next page").Attribute("href")!.Value);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_root_has_no_parent_link_and_says_when_it_is_empty()
    {
        XDocument page = Parse(ListingHtml.Render(new ListingView("/", "/", ListingPage.Empty, null, null)));

        Assert.Empty(page.Descendants("tbody").Single().Elements("tr"));
        Assert.Contains(page.Descendants("p"), p => p.Value == "This folder is empty.");
        Assert.DoesNotContain(page.Descendants("a"), a => a.Value == "Next page");
    }

    [Fact]
    public void Json_has_the_documented_shape()
    {
        ListingEntry[] entries = [new("sub", true, 0, null, null), new("a\"b.txt", false, 12, Modified, "abc")];
        using JsonDocument json = JsonDocument.Parse(ListingJson.Render(new ListingView("/rel/", "/", new ListingPage(entries, null), "c.d", null)));

        JsonElement root = json.RootElement;
        Assert.Equal("/rel/", root.GetProperty("path").GetString());
        Assert.Equal("c.d", root.GetProperty("next").GetString());
        JsonElement[] listed = [.. root.GetProperty("entries").EnumerateArray()];
        Assert.Equal("sub", listed[0].GetProperty("name").GetString());
        Assert.Equal("directory", listed[0].GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, listed[0].GetProperty("size").ValueKind);
        Assert.Equal("a\"b.txt", listed[1].GetProperty("name").GetString());
        Assert.Equal("file", listed[1].GetProperty("type").GetString());
        Assert.Equal(12, listed[1].GetProperty("size").GetInt64());
        Assert.Equal("2026-12-03T12:34:56Z", listed[1].GetProperty("lastModified").GetString());
        Assert.Equal("abc", listed[1].GetProperty("etag").GetString());
    }

    internal static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
        return XDocument.Load(reader);
    }

    internal static XElement[] Rows(string html) => [.. Parse(html).Descendants("tbody").Single().Elements("tr")];
}
