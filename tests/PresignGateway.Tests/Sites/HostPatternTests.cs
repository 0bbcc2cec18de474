using PresignGateway.Sites;

namespace PresignGateway.Tests.Sites;

/// <summary>One wildcard rule for site Hosts and Referer allow-lists.</summary>
public sealed class HostPatternTests
{
    [Theory]
    [InlineData("*", "anything.example", true)]
    [InlineData("example.com", "EXAMPLE.com", true)]
    [InlineData("example.com", "www.example.com", false)]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "WWW.Example.COM", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.example.com", "notexample.com", false)]
    [InlineData("*.example.com", "www.example.com.evil", false)]
    public void Matches(string pattern, string host, bool expected) => Assert.Equal(expected, HostPattern.Matches(pattern, host));

    [Theory]
    [InlineData("*", true)]
    [InlineData("downloads.example.com", true)]
    [InlineData("*.example.com", true)]
    [InlineData("192.0.2.1", true)]
    [InlineData("", false)]
    [InlineData("*.", false)]
    [InlineData("a.*.example.com", false)]
    [InlineData("**.example.com", false)]
    [InlineData("https://example.com", false)]
    [InlineData("example.com:8080", false)]
    [InlineData("example.com/path", false)]
    public void IsValid(string pattern, bool expected) => Assert.Equal(expected, HostPattern.IsValid(pattern));
}
