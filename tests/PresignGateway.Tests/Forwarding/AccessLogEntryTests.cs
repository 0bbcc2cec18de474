using PresignGateway.Forwarding;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// The access line's state, as providers that read structured logs see it: the twelve named values and the template,
/// like a generated <c>[LoggerMessage]</c>, and a message that shows a missing value as "-".
/// </summary>
public sealed class AccessLogEntryTests
{
    [Fact]
    public void Providers_see_the_named_values_and_the_template()
    {
        var entry = new AccessLogEntry("GET", "downloads.example.com", "/a.zip", 206, 50, 1.25, "192.0.2.1", "downloads", "proxy", "shared", 206, "trace");

        Dictionary<string, object?> values = entry.ToDictionary(pair => pair.Key, pair => pair.Value);

        Assert.Equal(13, entry.Count);
        Assert.Equal(
            ["Method", "Host", "Path", "Status", "BytesSent", "DurationMs", "Client", "Site", "Mode", "CacheTier", "UpstreamStatus", "TraceId", "{OriginalFormat}"],
            values.Keys);
        Assert.Equal(206, values["Status"]);
        Assert.Equal(50L, values["BytesSent"]);
        Assert.Equal(1.25, values["DurationMs"]);
        Assert.Equal(206, values["UpstreamStatus"]);
        Assert.Equal(AccessLogEntry.MessageFormat, values["{OriginalFormat}"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => entry[13]);
    }

    [Fact]
    public void The_message_has_every_value_and_a_dash_for_each_missing_one()
    {
        var entry = new AccessLogEntry("HEAD", "h", "/x", 404, 0, 0.5, null, "s", "redirect", null, null, "t");

        Assert.Equal("HEAD h /x 404 0 B 0.5 ms client=- site=s mode=redirect cache=- upstream=- trace=t", entry.ToString());
        Assert.Equal(entry.ToString(), AccessLogEntry.Formatter(entry, null));
    }

    [Fact]
    public void A_message_longer_than_any_first_buffer_is_formatted_whole()
    {
        string path = "/" + new string('\u00e9', 50_000);
        var entry = new AccessLogEntry("GET", "h", path, 200, 1, 1, "c", "s", "proxy", "memory", 200, "t");

        Assert.Equal($"GET h {path} 200 1 B 1 ms client=c site=s mode=proxy cache=memory upstream=200 trace=t", entry.ToString());
        Assert.False(entry.TryFormatMessage(new char[100], out int written));
        Assert.Equal(0, written);
    }
}
