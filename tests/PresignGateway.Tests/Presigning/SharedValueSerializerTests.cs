using System.Buffers;
using System.Text;
using PresignGateway.Presigning;

namespace PresignGateway.Tests.Presigning;

/// <summary>The shared-tier format: a value round-trips exactly, and anything else reads as malformed instead of throwing.</summary>
public sealed class SharedValueSerializerTests
{
    private const string Mac = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Fact]
    public void A_value_round_trips_and_is_marked_as_read_from_the_shared_tier()
    {
        var serializer = new SharedValueSerializer();
        var value = new CachedPresignedUrl("http://h/b/k?x=1&y=%2B", new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero)) { Mac = Convert.FromBase64String(Mac) };
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(value, buffer);
        CachedPresignedUrl read = serializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.Equal($$"""{"url":"http://h/b/k?x=1&y=%2B","expiresAt":1893553445,"mac":"{{Mac}}"}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal(value.Url, read.Url);
        Assert.Equal(value.ExpiresAt, read.ExpiresAt);
        Assert.Equal(value.Mac, read.Mac);
        Assert.True(read.FromSharedTier);
        Assert.False(value.FromSharedTier);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("\u0001\u0002garbage")]
    [InlineData("""{"Url":"http://h/k","ExpiresAt":"2030-01-02T03:04:05+00:00"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":1893553445}""")]
    [InlineData("""{"url":"http://h/k","mac":"AAAA"}""")]
    [InlineData("""{"expiresAt":1893553445,"mac":"AAAA"}""")]
    [InlineData("""{"url":1,"expiresAt":1893553445,"mac":"AAAA"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":"1893553445","mac":"AAAA"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":1.5,"mac":"AAAA"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":99999999999999,"mac":"AAAA"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":1893553445,"mac":"not base64!"}""")]
    [InlineData("""{"url":"http://h/k","url":"http://evil/k","expiresAt":1893553445,"mac":"AAAA"}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":1893553445,"mac":"AAAA","extra":1}""")]
    [InlineData("""{"url":"http://h/k","expiresAt":1893553445,"mac":"AAAA"}{}""")]
    [InlineData("{\"url\":\"http://h/k\",\"expiresAt\":1893553445,\"mac\":\"AAAA\"")]
    [InlineData("""{"url":{"a":1},"expiresAt":1893553445,"mac":"AAAA"}""")]
    public void Anything_else_reads_as_malformed(string payload)
    {
        CachedPresignedUrl read = new SharedValueSerializer().Deserialize(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)));

        Assert.True(read.FromSharedTier);
        Assert.Equal(string.Empty, read.Url);
        Assert.Empty(read.Mac);
    }
}
