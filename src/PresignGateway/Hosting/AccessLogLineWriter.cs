using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using PresignGateway.Forwarding;

namespace PresignGateway.Hosting;

/// <summary>
/// Writes the access log (category <c>PresignGateway.Access</c>) to standard output as JSON lines of the console's
/// shape, in batches. The console logger hands every line to one writer thread and wakes it for each; at one line per
/// request that pipeline cost 13-23 µs of CPU per request and held proxy mode to 0.72-0.83x raw YARP
/// (bench/RESULTS.md, "Access log on"). Here a request formats its line with a pooled builder (the access line's
/// fields are read from <see cref="AccessLogEntry"/> itself: no boxing, no message string) and copies it onto the
/// current 64 KiB page of the queue; a timer takes the pages every <see cref="FlushInterval"/> and writes them in
/// whole lines of at most 4 KiB (PIPE_BUF, so a container's log pipe never splits a line between two writers). The
/// queue is bounded in bytes: when stdout can't keep up, lines are dropped and counted, never waited for, and a stalled
/// stdout holds at most the one thread whose write it blocks.
/// </summary>
internal sealed class AccessLogLineWriter : ILoggerProvider
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Queued bytes above which lines are dropped (counted, and reported in the stream).</summary>
    public const int MaxQueuedBytes = 4 * 1024 * 1024;

    private const int WriteSize = 4096;
    private const int PageSize = 64 * 1024;

    // Pages kept for the next batch; a burst's extra pages go to the garbage collector, so a quiet gateway holds 256 KiB.
    private const int SparePages = 4;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("Timestamp");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("EventId");
    private static readonly JsonEncodedText LogLevelName = JsonEncodedText.Encode("LogLevel");
    private static readonly JsonEncodedText CategoryName = JsonEncodedText.Encode("Category");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("Message");
    private static readonly JsonEncodedText CategoryValue = JsonEncodedText.Encode(AccessLog.Category);
    private static readonly JsonEncodedText StateName = JsonEncodedText.Encode("State");
    private static readonly JsonEncodedText InformationName = JsonEncodedText.Encode(nameof(LogLevel.Information));
    private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode(nameof(AccessLogEntry.Method));
    private static readonly JsonEncodedText HostName = JsonEncodedText.Encode(nameof(AccessLogEntry.Host));
    private static readonly JsonEncodedText PathName = JsonEncodedText.Encode(nameof(AccessLogEntry.Path));
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode(nameof(AccessLogEntry.Status));
    private static readonly JsonEncodedText BytesSentName = JsonEncodedText.Encode(nameof(AccessLogEntry.BytesSent));
    private static readonly JsonEncodedText DurationMsName = JsonEncodedText.Encode(nameof(AccessLogEntry.DurationMs));
    private static readonly JsonEncodedText ClientName = JsonEncodedText.Encode(nameof(AccessLogEntry.Client));
    private static readonly JsonEncodedText SiteName = JsonEncodedText.Encode(nameof(AccessLogEntry.Site));
    private static readonly JsonEncodedText ModeName = JsonEncodedText.Encode(nameof(AccessLogEntry.Mode));
    private static readonly JsonEncodedText CacheTierName = JsonEncodedText.Encode(nameof(AccessLogEntry.CacheTier));
    private static readonly JsonEncodedText UpstreamStatusName = JsonEncodedText.Encode(nameof(AccessLogEntry.UpstreamStatus));
    private static readonly JsonEncodedText TraceIdName = JsonEncodedText.Encode(nameof(AccessLogEntry.TraceId));

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly ObjectPool<LineBuilder> _builders = new DefaultObjectPool<LineBuilder>(new LineBuilderPolicy(), Environment.ProcessorCount * 2);
    private readonly ITimer _timer;
    private readonly Lock _drainLock = new();

    // _gate guards the four fields below it; held only to copy a line in or to take the pages out.
    private readonly Lock _gate = new();
    private List<Page> _pages = [];
    private List<Page> _written = [];
    private readonly Stack<byte[]> _spare = new();
    private long _queuedBytes;
    private long _dropped;
    private bool _disposed;

    /// <summary>Writes <see cref="AccessLog.Category"/> only; every other category gets a logger that writes nothing.</summary>
    public AccessLogLineWriter(Stream output, TimeProvider time)
    {
        _output = output;
        _time = time;
        _timer = time.CreateTimer(static state => ((AccessLogLineWriter)state!).DrainUnlessWriting(), this, FlushInterval, FlushInterval);
    }

    /// <summary>Lines dropped because the queue was full, since the last drain.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _dropped;
            }
        }
    }

    public ILogger CreateLogger(string categoryName)
        => string.Equals(categoryName, AccessLog.Category, StringComparison.Ordinal) ? new LineLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Writes every queued line now (the timer does this every <see cref="FlushInterval"/>).</summary>
    public void Drain()
    {
        lock (_drainLock)
        {
            DrainHoldingLock();
        }
    }

    /// <summary>
    /// The timer's drain. When standard output blocks (a stalled log collector fills the pipe), the drain in progress
    /// waits in its write; a tick that finds it still there returns at once instead of parking another pool thread
    /// behind it every 100 ms. Meanwhile the queue fills to its bound and drops.
    /// </summary>
    private void DrainUnlessWriting()
    {
        if (!_drainLock.TryEnter())
        {
            return;
        }

        try
        {
            DrainHoldingLock();
        }
        finally
        {
            _drainLock.Exit();
        }
    }

    private void DrainHoldingLock()
    {
        List<Page> pages;
        long dropped;
        lock (_gate)
        {
            pages = _pages;
            _pages = _written;
            _written = pages;
            dropped = _dropped;
            _queuedBytes = 0;
            _dropped = 0;
        }

        try
        {
            foreach (Page page in pages)
            {
                WriteWholeLines(page.Bytes.AsSpan(0, page.Used));
            }

            if (dropped > 0)
            {
                _output.Write(System.Text.Encoding.UTF8.GetBytes(
                    $"{{\"Timestamp\":\"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ}\",\"EventId\":0,\"LogLevel\":\"Warning\",\"Category\":\"{AccessLog.Category}\",\"Message\":\"{dropped} access log lines were dropped: standard output is slower than the traffic.\"}}\n"));
            }

            _output.Flush();
        }
        catch (IOException)
        {
            // Standard output closed (the collector went away): nothing to write to, and no one to tell.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                foreach (Page page in pages)
                {
                    if (page.Bytes.Length == PageSize && _spare.Count < SparePages)
                    {
                        _spare.Push(page.Bytes);
                    }
                }
            }

            pages.Clear();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        Drain();
    }

    /// <summary>Writes the batch in cuts of at most <see cref="WriteSize"/> that end at a line's end; a longer line goes alone.</summary>
    private void WriteWholeLines(ReadOnlySpan<byte> lines)
    {
        while (!lines.IsEmpty)
        {
            int length = lines.Length;
            if (length > WriteSize)
            {
                int lastEnd = lines[..WriteSize].LastIndexOf((byte)'\n');
                length = lastEnd >= 0 ? lastEnd + 1 : lines.IndexOf((byte)'\n') + 1;
            }

            _output.Write(lines[..length]);
            lines = lines[length..];
        }
    }

    /// <summary>The access line: its fields written as they are, no boxing and no message string.</summary>
    private void Enqueue(in AccessLogEntry entry)
    {
        if (DropsWithoutFormatting())
        {
            return;
        }

        LineBuilder line = _builders.Get();
        try
        {
            Utf8JsonWriter json = line.Start();
            WriteHead(json, AccessLogEntry.EventId.Id, InformationName);
            json.WriteString(MessageName, line.FormatMessage(entry));
            json.WriteStartObject(StateName);
            json.WriteString(MethodName, entry.Method);
            json.WriteString(HostName, entry.Host);
            json.WriteString(PathName, entry.Path);
            json.WriteNumber(StatusName, entry.Status);
            json.WriteNumber(BytesSentName, entry.BytesSent);
            json.WriteNumber(DurationMsName, entry.DurationMs);
            WriteStringOrNull(json, ClientName, entry.Client);
            json.WriteString(SiteName, entry.Site);
            json.WriteString(ModeName, entry.Mode);
            WriteStringOrNull(json, CacheTierName, entry.CacheTier);
            if (entry.UpstreamStatus is int upstream)
            {
                json.WriteNumber(UpstreamStatusName, upstream);
            }
            else
            {
                json.WriteNull(UpstreamStatusName);
            }

            json.WriteString(TraceIdName, entry.TraceId);
            json.WriteEndObject();
            json.WriteEndObject();
            Queue(line.Finish());
        }
        finally
        {
            _builders.Return(line);
        }
    }

    /// <summary>Any other event in the category (there is none today): its level and formatted message, no state.</summary>
    private void Enqueue<TState>(LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (DropsWithoutFormatting())
        {
            return;
        }

        LineBuilder line = _builders.Get();
        try
        {
            Utf8JsonWriter json = line.Start();
            WriteHead(json, eventId.Id, JsonEncodedText.Encode(level.ToString()));
            json.WriteString(MessageName, formatter(state, exception));
            json.WriteEndObject();
            Queue(line.Finish());
        }
        finally
        {
            _builders.Return(line);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private void WriteHead(Utf8JsonWriter json, int eventId, JsonEncodedText level)
    {
        Span<byte> timestamp = stackalloc byte[32];
        _time.GetUtcNow().UtcDateTime.TryFormat(timestamp, out int length, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        json.WriteStartObject();
        json.WriteString(TimestampName, timestamp[..length]);
        json.WriteNumber(EventIdName, eventId);
        json.WriteString(LogLevelName, level);
        json.WriteString(CategoryName, CategoryValue);
    }

    /// <summary>When the queue is already full, counts the line as dropped before any work is spent on it.</summary>
    private bool DropsWithoutFormatting()
    {
        if (Volatile.Read(ref _queuedBytes) < MaxQueuedBytes)
        {
            return false;
        }

        lock (_gate)
        {
            _dropped++;
        }

        return true;
    }

    private void Queue(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_queuedBytes + line.Length > MaxQueuedBytes)
            {
                _dropped++;
                return;
            }

            _queuedBytes += line.Length;
            Page? page = _pages.Count > 0 ? _pages[^1] : null;
            if (page is null || page.Bytes.Length - page.Used < line.Length)
            {
                // A line longer than a page (a long path, cleaned) gets a page of its own size.
                page = new Page(line.Length > PageSize ? new byte[line.Length] : _spare.Count > 0 ? _spare.Pop() : new byte[PageSize]);
                _pages.Add(page);
            }

            line.CopyTo(page.Bytes.AsSpan(page.Used));
            page.Used += line.Length;
        }
    }

    private sealed class LineLogger(AccessLogLineWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The JIT compiles this test away for each TState; for the access line, the cast is a reinterpretation.
            if (typeof(TState) == typeof(AccessLogEntry))
            {
                writer.Enqueue(Unsafe.As<TState, AccessLogEntry>(ref state));
            }
            else
            {
                writer.Enqueue(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    private sealed class Page(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public int Used { get; set; }
    }

    /// <summary>
    /// What one line is built with, reused through a pool: the JSON writer, its buffer and the message's characters.
    /// The line is copied into the queue, so nothing here outlives the call.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Utf8JsonWriter holds nothing to release: its Dispose only flushes, which Finish does for every line.")]
    private sealed class LineBuilder
    {
        // A usual line is about 500 bytes. One for a long path grows the buffers, which are not kept beyond these
        // sizes, so a client's 8 KiB path does not pin memory in every pooled builder.
        private const int KeptBytes = 4096;
        private const int KeptMessageChars = 2048;

        private ArrayBufferWriter<byte> _buffer = new(1024);
        private readonly Utf8JsonWriter _json;
        private char[] _message = new char[512];

        public LineBuilder() => _json = new Utf8JsonWriter(_buffer, JsonOptions);

        public Utf8JsonWriter Start()
        {
            if (_buffer.Capacity > KeptBytes)
            {
                _buffer = new ArrayBufferWriter<byte>(1024);
            }

            if (_message.Length > KeptMessageChars)
            {
                _message = new char[512];
            }

            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            return _json;
        }

        public ReadOnlySpan<char> FormatMessage(in AccessLogEntry entry)
        {
            int written;
            while (!entry.TryFormatMessage(_message, out written))
            {
                _message = new char[_message.Length * 2];
            }

            return _message.AsSpan(0, written);
        }

        /// <summary>The line, with its newline, valid until the next <see cref="Start"/>.</summary>
        public ReadOnlySpan<byte> Finish()
        {
            _json.Flush();
            _buffer.Write("\n"u8);
            return _buffer.WrittenSpan;
        }
    }

    private sealed class LineBuilderPolicy : PooledObjectPolicy<LineBuilder>
    {
        public override LineBuilder Create() => new();

        public override bool Return(LineBuilder builder) => true;
    }
}
