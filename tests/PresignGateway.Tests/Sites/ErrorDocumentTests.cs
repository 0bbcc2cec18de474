using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Sites;

/// <summary>Gateway:Sites:&lt;name&gt;:ErrorDocuments is checked at start-up: a status the gateway answers with, a key it may sign.</summary>
public sealed class ErrorDocumentTests
{
    public static TheoryData<string, string, string> Mistakes() => new()
    {
        { "418", "errors/teapot.html", "Gateway:Sites:s:ErrorDocuments:418: name a status the gateway answers with, one of 400, 403, 404, 405, 412, 414, 416, 429, 431, 502, 504." },
        { "200", "index.html", "Gateway:Sites:s:ErrorDocuments:200: name a status the gateway answers with, one of 400, 403, 404, 405, 412, 414, 416, 429, 431, 502, 504." },
        { "NotFound", "errors/404.html", "Gateway:Sites:s:ErrorDocuments:NotFound: name a status the gateway answers with, one of 400, 403, 404, 405, 412, 414, 416, 429, 431, 502, 504." },
        { "+404", "errors/404.html", "Gateway:Sites:s:ErrorDocuments:+404: name a status the gateway answers with, one of 400, 403, 404, 405, 412, 414, 416, 429, 431, 502, 504." },
        { "404", " ", "Gateway:Sites:s:ErrorDocuments:404 is empty: give the object key of the page, from the bucket's root, such as errors/404.html." },
        { "404", "errors/../secret.html", "Gateway:Sites:s:ErrorDocuments:404 'errors/../secret.html': The path has a '.' or '..' segment." },
        { "404", "errors/\u0001.html", "Gateway:Sites:s:ErrorDocuments:404 'errors/\u0001.html': The object key contains a control character." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_wrong_entry_stops_the_start_with_a_message_that_names_it(string status, string key, string expected)
    {
        Dictionary<string, string?> settings = Valid();
        settings["Gateway:Sites:s:ErrorDocuments:" + status] = key;

        Assert.Equal([expected], GatewaySettings.Errors(settings));
    }

    [Fact]
    public void Documents_for_the_gateway_statuses_are_accepted()
    {
        Dictionary<string, string?> settings = Valid();
        foreach (string status in new[] { "400", "403", "404", "405", "412", "414", "416", "429", "431", "502", "504" })
        {
            settings["Gateway:Sites:s:ErrorDocuments:" + status] = $"errors/{status}.html";
        }

        var documents = GatewaySettings.Build(settings).Sites.Single().ErrorDocuments;
        Assert.Equal(11, documents.Count);
        Assert.Equal("errors/404.html", documents[404].Key);
    }

    private static Dictionary<string, string?> Valid()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "s", "/", "main", "dl.example.com");
        return settings;
    }
}
