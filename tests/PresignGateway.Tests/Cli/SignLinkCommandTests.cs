using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using PresignGateway.Cli;
using PresignGateway.Protection;
using PresignGateway.Sites;

namespace PresignGateway.Tests.Cli;

/// <summary>The <c>sign-link</c> command, run in-process: README's worked example, what it binds, and its errors.</summary>
public sealed class SignLinkCommandTests
{
    // README, "Security and link protection": keep these four values and the signature in step with it.
    private const string ExampleSecret = "example-link-secret-0123456789abcdef";
    private const string ExampleUrl = "https://Downloads.Example.com:8443/private/report%202024.pdf?filename=Q1%20report.pdf";
    private const string ExampleAt = "2024-03-15T08:30:00Z";
    private const string ExampleSignature = "omGbztefc5l_WoABfrAdQ941LP1XfcYdskuOXsTjf9M";

    [Fact]
    public void Readme_worked_example_gives_the_documented_link()
    {
        (int exitCode, string stdout, string stderr) = Run(ExampleSecret, "--url", ExampleUrl, "--expires-in", "3600", "--at", ExampleAt);

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.Equal(ExampleUrl + "&expires=1710495000&sig=" + ExampleSignature + "\n", stdout);
    }

    /// <summary>The documented message, written out by hand and MACed here: the format, not just the code, is pinned.</summary>
    [Fact]
    public void Readme_worked_example_is_the_mac_of_the_documented_lines()
    {
        const string Message = "presign-gateway-link-v2\ndownloads.example.com\n/private/report 2024.pdf\n1710495000\nfilename=Q1 report.pdf\n";

        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ExampleSecret), Encoding.UTF8.GetBytes(Message));

        Assert.Equal(ExampleSignature, Base64Url.EncodeToString(mac));
    }

    /// <summary>The gateway's side accepts the example on the host a client sends (any case, with the port), and only there.</summary>
    [Theory]
    [InlineData("downloads.example.com:8443", "/private/report%202024.pdf?filename=Q1%20report.pdf", true)]
    [InlineData("DOWNLOADS.example.com", "/private/report%202024.pdf?filename=Q1+report.pdf", true)]
    [InlineData("mirror.example.com", "/private/report%202024.pdf?filename=Q1%20report.pdf", false)]
    [InlineData("downloads.example.com", "/private/report%202024.pdf?filename=Q2%20report.pdf", false)]
    [InlineData("downloads.example.com", "/private/report%202024.pdf?filename=Q1%20report.pdf&inline", false)]
    [InlineData("downloads.example.com", "/private/report%202024.pdf", false)]
    [InlineData("downloads.example.com", "/public/report%202024.pdf?filename=Q1%20report.pdf", false)]
    public void Gateway_verifies_the_worked_example_only_for_its_host_path_and_query(string hostHeader, string target, bool accepted)
    {
        var protection = new SiteProtection([], [], null, true, [Encoding.UTF8.GetBytes(ExampleSecret)]);
        var context = new DefaultHttpContext();
        context.Request.Host = HostString.FromUriComponent(hostHeader);
        int queryStart = target.IndexOf('?', StringComparison.Ordinal);
        string path = Uri.UnescapeDataString(queryStart < 0 ? target : target[..queryStart]);
        context.Request.QueryString = new QueryString((queryStart < 0 ? "?" : target[queryStart..] + "&") + "expires=1710495000&sig=" + ExampleSignature);

        string? refusal = protection.Check(context, path, DateTimeOffset.Parse("2024-03-15T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(accepted, refusal is null);
    }

    [Fact]
    public void Every_honoured_parameter_is_signed_in_name_order_whatever_the_url_order()
    {
        (_, string first, _) = Run(ExampleSecret, "--url", "http://h.example/a?x-oss-process=image/resize,w_10&versionId=v1&inline&filename=a.pdf&utm=1", "--at", ExampleAt);
        (_, string second, _) = Run(ExampleSecret, "--url", "http://h.example/a?utm=2&filename=a.pdf&inline&versionId=v1&x-oss-process=image%2Fresize%2Cw_10", "--at", ExampleAt);
        const string Message = "presign-gateway-link-v2\nh.example\n/a\n1710495000\nfilename=a.pdf\ninline=\nversionId=v1\nx-oss-process=image/resize,w_10\n";

        string expected = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ExampleSecret), Encoding.UTF8.GetBytes(Message)));

        Assert.EndsWith("&sig=" + expected + "\n", first, StringComparison.Ordinal);
        Assert.EndsWith("&sig=" + expected + "\n", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://h.example/a?expires=1&x=1", "--url already carries expires or sig")]
    [InlineData("https://h.example/a?sig=abc", "--url already carries expires or sig")]
    [InlineData("https://h.example/a?filename=a%0Ab.pdf", "--url: The link's filename parameter contains a control character.")]
    [InlineData("https://h.example/a%0A", "--url: The link's host or path contains a control character.")]
    [InlineData("https://h.example/a#top", "--url must be an absolute http or https link without a fragment")]
    public void Links_that_cannot_be_signed_faithfully_are_refused(string url, string message)
    {
        (int exitCode, string stdout, string stderr) = Run(ExampleSecret, "--url", url);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("sign-link: " + message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Link_without_a_query_gets_one()
    {
        (int exitCode, string stdout, _) = Run(ExampleSecret, "--url", "https://h.example/a.pdf", "--at", ExampleAt, "--expires-in", "60");
        var query = new QueryCollection(QueryHelpers.ParseQuery(stdout.TrimEnd('\n')[stdout.IndexOf('?', StringComparison.Ordinal)..]));

        Assert.Equal(0, exitCode);
        Assert.StartsWith("https://h.example/a.pdf?expires=1710491460&sig=", stdout, StringComparison.Ordinal);
        Assert.Equal(
            LinkSignature.QueryFor(Encoding.UTF8.GetBytes(ExampleSecret), "h.example", "/a.pdf", 1710491460, QueryCollection.Empty),
            "expires=" + query["expires"] + "&sig=" + query["sig"]);
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string secret, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = SignLinkCommand.Run(
            args, stdout, stderr, name => name == "GATEWAY_LINK_SECRET" ? secret : null, new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
