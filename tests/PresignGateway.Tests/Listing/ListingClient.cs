using System.Text.Json;
using System.Xml.Linq;

namespace PresignGateway.Tests.Listing;

/// <summary>Walks a listing through the gateway the way a client does: page by page, following "Next page" or <c>next</c>.</summary>
internal static class ListingClient
{
    /// <summary>Every entry of the HTML pages, as its link decodes (a folder with its '/'), and the pages' count.</summary>
    public static async Task<(List<string> Names, int Pages)> ReadHtmlAsync(HttpClient client, string directoryPath, string? query = null)
    {
        var names = new List<string>();
        string encodedDirectory = EncodePath(directoryPath);
        string? next = encodedDirectory + query;
        int pages = 0;
        while (next is not null && pages < 100)
        {
            using HttpResponseMessage response = await client.GetAsync(next, TestContext.Current.CancellationToken);
            string html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{next}: {(int)response.StatusCode} {html}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            XDocument page = ListingHtmlTests.Parse(html);
            foreach (XElement row in page.Descendants("tbody").Single().Elements("tr"))
            {
                XElement link = row.Descendants("a").Single();
                if (link.Attribute("rel")?.Value == "up")
                {
                    continue;
                }

                string href = link.Attribute("href")!.Value;
                int q = href.IndexOf('?', StringComparison.Ordinal);
                string path = q < 0 ? href : href[..q];
                Assert.StartsWith(encodedDirectory, path, StringComparison.Ordinal);
                names.Add(Uri.UnescapeDataString(path[encodedDirectory.Length..]));
            }

            pages++;
            string? nextHref = page.Descendants("a").SingleOrDefault(a => a.Attribute("rel")?.Value == "next")?.Attribute("href")?.Value;
            next = nextHref is null ? null : encodedDirectory + nextHref;
        }

        return (names, pages);
    }

    /// <summary>Every entry of the JSON pages (a folder with a '/' added), and the pages' count.</summary>
    public static async Task<(List<string> Names, int Pages)> ReadJsonAsync(HttpClient client, string directoryPath)
    {
        var names = new List<string>();
        string encodedDirectory = EncodePath(directoryPath);
        string? next = encodedDirectory + "?format=json";
        int pages = 0;
        while (next is not null && pages < 100)
        {
            using HttpResponseMessage response = await client.GetAsync(next, TestContext.Current.CancellationToken);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{next}: {(int)response.StatusCode} {body}");
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.Equal(directoryPath, json.RootElement.GetProperty("path").GetString());
            foreach (JsonElement entry in json.RootElement.GetProperty("entries").EnumerateArray())
            {
                names.Add(entry.GetProperty("name").GetString() + (entry.GetProperty("type").GetString() == "directory" ? "/" : ""));
            }

            pages++;
            string? cursor = json.RootElement.GetProperty("next").GetString();
            next = cursor is null ? null : $"{encodedDirectory}?format=json&page={Uri.EscapeDataString(cursor)}";
        }

        return (names, pages);
    }

    /// <summary>Percent-encodes each segment of a decoded path.</summary>
    public static string EncodePath(string path) => string.Join("/", path.Split('/').Select(Uri.EscapeDataString));
}
