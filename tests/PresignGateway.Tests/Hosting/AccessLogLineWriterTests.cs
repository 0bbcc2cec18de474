using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PresignGateway.Diagnostics;
using PresignGateway.Forwarding;
using PresignGateway.Hosting;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// The access log's batched writer: lines in the console's JSON shape, held until the flush, written in whole lines of
/// at most 4 KiB, dropped and counted (never waited for) when the queue is full.
/// </summary>
public sealed class AccessLogLineWriterTests
{
    [Fact]
    public void Lines_wait_for_the_flush_then_leave_as_json_in_whole_lines_of_at_most_4_kib()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.Zero));
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, time, AccessLog.Category);
        ILogger logger = writer.CreateLogger(AccessLog.Category);

        for (int i = 0; i < 40; i++)
        {
            Log.Access(logger, "GET", "downloads.example.com", $"/releases/\\u000d{i}.zip", 206, 1024, 1.5, "192.0.2.1", "site", "proxy", null, 206, "trace");
        }

        Assert.Empty(output.Writes);
        time.Advance(AccessLogLineWriter.FlushInterval);

        Assert.All(output.Writes, write => Assert.True(write.Length <= 4096 && write[^1] == (byte)'\n', $"a write of {write.Length} bytes"));
        Assert.True(output.Writes.Count > 1, "40 lines of ~500 bytes need more than one 4 KiB write");
        string[] lines = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(40, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        JsonElement line = first.RootElement;
        Assert.Equal("2026-12-03T14:00:00.000Z", line.GetProperty("Timestamp").GetString());
        Assert.Equal(100, line.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.Equal(AccessLog.Category, line.GetProperty("Category").GetString());
        Assert.StartsWith("GET downloads.example.com /releases/\\u000d0.zip 206 1024 B", line.GetProperty("Message").GetString(), StringComparison.Ordinal);
        JsonElement state = line.GetProperty("State");
        Assert.Equal(206, state.GetProperty("Status").GetInt32());
        Assert.Equal(1024, state.GetProperty("BytesSent").GetInt64());
        Assert.Equal(1.5, state.GetProperty("DurationMs").GetDouble());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("CacheTier").ValueKind);
        Assert.Equal("/releases/\\u000d0.zip", state.GetProperty("Path").GetString());
        Assert.False(state.TryGetProperty("{OriginalFormat}", out _));
    }

    [Fact]
    public void A_full_queue_drops_and_counts_lines_instead_of_waiting_and_says_so()
    {
        var time = new FakeTimeProvider();
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, time, AccessLog.Category);
        ILogger logger = writer.CreateLogger(AccessLog.Category);
        string path = "/" + new string('a', 1000);

        int logged = 0;
        while (writer.Dropped == 0 && logged < 100_000)
        {
            Log.Access(logger, "GET", "h", path, 200, 1, 1, null, "s", "proxy", null, null, "t");
            logged++;
        }

        Assert.True(writer.Dropped > 0, "the queue never filled");
        // Each line carries the 1,000-character path twice (message and state): about 2.4 KB.
        Assert.InRange(logged, AccessLogLineWriter.MaxQueuedBytes / 3000, AccessLogLineWriter.MaxQueuedBytes / 2000 + 1);
        writer.Drain();

        string[] lines = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(logged - 1, lines.Count(line => line.Contains("\"EventId\":100", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.Contains("1 access log lines were dropped", StringComparison.Ordinal));
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public void Other_categories_write_nothing_and_disposing_writes_what_is_queued()
    {
        var output = new RecordingStream();
        var writer = new AccessLogLineWriter(output, new FakeTimeProvider(), AccessLog.Category);
        Log.CredentialsUnavailable(writer.CreateLogger("PresignGateway.Forwarding"), "not an access line", "s", "expired");
        Log.Access(writer.CreateLogger(AccessLog.Category), "HEAD", "h", "/x", 200, 0, 1, null, "s", "proxy", "memory", 200, "t");

        writer.Dispose();

        string text = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]);
        Assert.DoesNotContain("not an access line", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"Method\":\"HEAD\"", text, StringComparison.Ordinal);
    }

    /// <summary>Keeps each write separately, to check where lines are cut.</summary>
    private sealed class RecordingStream : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
