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
        using var writer = new AccessLogLineWriter(output, time);
        ILogger logger = writer.CreateLogger(AccessLog.Category);

        for (int i = 0; i < 40; i++)
        {
            new AccessLogEntry("GET", "downloads.example.com", $"/releases/\\u000d{i}.zip", 206, 1024, 1.5, "192.0.2.1", "site", "proxy", null, 206, "trace").WriteTo(logger);
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
        using var writer = new AccessLogLineWriter(output, time);
        ILogger logger = writer.CreateLogger(AccessLog.Category);
        string path = "/" + new string('a', 1000);

        int logged = 0;
        while (writer.Dropped == 0 && logged < 100_000)
        {
            new AccessLogEntry("GET", "h", path, 200, 1, 1, null, "s", "proxy", null, null, "t").WriteTo(logger);
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
        var writer = new AccessLogLineWriter(output, new FakeTimeProvider());
        Log.CredentialsUnavailable(writer.CreateLogger("PresignGateway.Forwarding"), "not an access line", "s", "expired");
        new AccessLogEntry("HEAD", "h", "/x", 200, 0, 1, null, "s", "proxy", "memory", 200, "t").WriteTo(writer.CreateLogger(AccessLog.Category));

        writer.Dispose();

        string text = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]);
        Assert.DoesNotContain("not an access line", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"Method\":\"HEAD\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_across_pages_and_a_line_longer_than_a_page_come_out_whole_and_in_order()
    {
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, new FakeTimeProvider());
        ILogger logger = writer.CreateLogger(AccessLog.Category);
        // 300 lines of about 600 bytes fill three 64 KiB pages; a 100,000-character path fits no page.
        string longPath = "/" + new string('x', 100_000);
        for (int i = 0; i < 300; i++)
        {
            string path = i == 150 ? longPath : $"/releases/{i}/" + new string('a', 50);
            new AccessLogEntry("GET", "h", path, 200, i, 1, null, "s", "proxy", null, null, "t").WriteTo(logger);
        }

        writer.Drain();

        Assert.All(output.Writes, write => Assert.True((write.Length <= 4096 || write.Count(b => b == (byte)'\n') == 1) && write[^1] == (byte)'\n', $"a write of {write.Length} bytes"));
        string[] lines = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(300, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            JsonElement state = line.RootElement.GetProperty("State");
            Assert.Equal(i, state.GetProperty("BytesSent").GetInt64());
            Assert.Equal(i == 150 ? longPath : $"/releases/{i}/" + new string('a', 50), state.GetProperty("Path").GetString());
        }
    }

    [Theory]
    [InlineData("/quote\"and\\backslash")]
    [InlineData("/名前/файл.zip")]
    [InlineData("/line\u2028sep\u202Eoverride")]
    [InlineData("/nul\u0000bell\u0007esc\u001b")]
    [InlineData("/</script><b>&amp;'+")]
    public void Any_text_a_field_can_hold_is_escaped_into_valid_json_and_reads_back_the_same(string path)
    {
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, new FakeTimeProvider());
        new AccessLogEntry("GET", path, path, 200, 1, 1, path, path, "proxy", path, 200, path).WriteTo(writer.CreateLogger(AccessLog.Category));

        writer.Drain();

        string text = Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using JsonDocument line = JsonDocument.Parse(text);
        JsonElement state = line.RootElement.GetProperty("State");
        foreach (string field in new[] { "Host", "Path", "Client", "Site", "CacheTier", "TraceId" })
        {
            Assert.Equal(path, state.GetProperty(field).GetString());
        }

        Assert.Contains(path, line.RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_valid_utf16_never_fails_the_request_that_logs_it()
    {
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, new FakeTimeProvider());

        new AccessLogEntry("GET", "h", "/lone\ud800surrogate", 200, 1, 1, null, "s", "proxy", null, null, "t").WriteTo(writer.CreateLogger(AccessLog.Category));
        writer.Drain();

        using JsonDocument line = JsonDocument.Parse(Encoding.UTF8.GetString([.. output.Writes.SelectMany(write => write)]));
        Assert.StartsWith("/lone", line.RootElement.GetProperty("State").GetProperty("Path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_queued_after_warm_up_allocates_next_to_nothing()
    {
        var output = new RecordingStream();
        using var writer = new AccessLogLineWriter(output, new FakeTimeProvider());
        ILogger logger = writer.CreateLogger(AccessLog.Category);
        var entry = new AccessLogEntry("GET", "downloads.example.com", "/releases/1.4.2/app.zip", 200, 1024, 0.25, "192.0.2.1", "downloads", "proxy", "memory", 200, "0123456789abcdef0123456789abcdef");
        for (int i = 0; i < 100; i++)
        {
            entry.WriteTo(logger);
        }

        writer.Drain();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            entry.WriteTo(logger);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Optimised code allocates nothing (AccessLogBenchmarks.OnBatchedWriter); unoptimised code, as a test first runs
        // it, boxes a number or two while formatting the message. A message string, or an array per line, is over 400 B.
        Assert.True(allocated < 100 * 100, $"100 lines allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_tick_while_standard_output_is_stuck_returns_at_once_instead_of_waiting_behind_the_write()
    {
        using var stuck = new StuckStream();
        var time = new FakeTimeProvider();
        using var writer = new AccessLogLineWriter(stuck, time);
        ILogger logger = writer.CreateLogger(AccessLog.Category);
        new AccessLogEntry("GET", "h", "/a", 200, 1, 1, null, "s", "proxy", null, null, "t").WriteTo(logger);
        Task firstDrain = Task.Run(writer.Drain, TestContext.Current.CancellationToken);
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the first drain never wrote");

        // FakeTimeProvider runs the tick on this thread: on a writer whose tick waits for the lock, this never returns.
        new AccessLogEntry("GET", "h", "/b", 200, 1, 1, null, "s", "proxy", null, null, "t").WriteTo(logger);
        Task tick = Task.Run(() => time.Advance(AccessLogLineWriter.FlushInterval), TestContext.Current.CancellationToken);
        Task first = await Task.WhenAny(tick, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        stuck.Release.Set();

        Assert.Same(tick, first);
        await firstDrain.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        writer.Drain();
        Assert.Equal(["/a", "/b"], stuck.Lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("Path").GetString()));
    }

    /// <summary>A standard output whose first write blocks until released, as a pipe does when its reader stalls.</summary>
    private sealed class StuckStream : WriteOnlyStream
    {
        private readonly System.Text.StringBuilder _written = new();

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public IEnumerable<string> Lines => _written.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            lock (_written)
            {
                _written.Append(Encoding.UTF8.GetString(buffer));
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Release.Set();
                Entered.Dispose();
                Release.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Keeps each write separately, to check where lines are cut.</summary>
    private sealed class RecordingStream : WriteOnlyStream
    {
        public List<byte[]> Writes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());
    }

    /// <summary>Standard output as the writer sees it: write and flush only.</summary>
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
