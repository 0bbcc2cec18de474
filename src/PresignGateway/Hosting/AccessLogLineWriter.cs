using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PresignGateway.Hosting;

/// <summary>
/// Writes the access log (category <c>PresignGateway.Access</c>) to standard output as JSON lines of the console's
/// shape, in batches. The console logger hands every line to one writer thread and wakes it for each; at one line per
/// request that pipeline cost 13-23 µs of CPU per request and held proxy mode to 0.72-0.83x raw YARP
/// (bench/RESULTS.md, "Access log on"). Here a request formats its line into a pooled buffer and queues it, lock-free;
/// a timer drains the queue every <see cref="FlushInterval"/> in writes of whole lines of at most 4 KiB (PIPE_BUF, so a
/// container's log pipe never splits a line between two writers). The queue is bounded in bytes: when stdout can't
/// keep up, lines are dropped and counted, never waited for.
/// </summary>
internal sealed class AccessLogLineWriter : ILoggerProvider
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Queued bytes above which lines are dropped (counted, and reported in the stream).</summary>
    public const int MaxQueuedBytes = 4 * 1024 * 1024;

    private const int WriteSize = 4096;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly string _category;
    private readonly ConcurrentQueue<(byte[] Buffer, int Length)> _lines = new();
    private readonly ITimer _timer;
    private readonly Lock _drainLock = new();
    private long _queuedBytes;
    private long _dropped;
    private bool _disposed;

    /// <param name="category">The one category this provider writes; every other gets a logger that writes nothing.</param>
    public AccessLogLineWriter(Stream output, TimeProvider time, string category)
    {
        _output = output;
        _time = time;
        _category = category;
        _timer = time.CreateTimer(static state => ((AccessLogLineWriter)state!).Drain(), this, FlushInterval, FlushInterval);
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ILogger CreateLogger(string categoryName)
        => string.Equals(categoryName, _category, StringComparison.Ordinal) ? new LineLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Writes every queued line now (the timer does this every <see cref="FlushInterval"/>).</summary>
    public void Drain()
    {
        lock (_drainLock)
        {
            byte[] chunk = ArrayPool<byte>.Shared.Rent(WriteSize);
            int used = 0;
            try
            {
                while (_lines.TryDequeue(out (byte[] Buffer, int Length) line))
                {
                    Interlocked.Add(ref _queuedBytes, -line.Length);
                    if (used + line.Length > WriteSize && used > 0)
                    {
                        _output.Write(chunk, 0, used);
                        used = 0;
                    }

                    if (line.Length > WriteSize)
                    {
                        _output.Write(line.Buffer, 0, line.Length);
                    }
                    else
                    {
                        line.Buffer.AsSpan(0, line.Length).CopyTo(chunk.AsSpan(used));
                        used += line.Length;
                    }

                    ArrayPool<byte>.Shared.Return(line.Buffer);
                }

                long dropped = Interlocked.Exchange(ref _dropped, 0);
                if (dropped > 0)
                {
                    if (used > 0)
                    {
                        _output.Write(chunk, 0, used);
                        used = 0;
                    }

                    _output.Write(System.Text.Encoding.UTF8.GetBytes(
                        $"{{\"Timestamp\":\"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ}\",\"EventId\":0,\"LogLevel\":\"Warning\",\"Category\":\"{_category}\",\"Message\":\"{dropped} access log lines were dropped: standard output is slower than the traffic.\"}}\n"));
                }

                if (used > 0)
                {
                    _output.Write(chunk, 0, used);
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
                ArrayPool<byte>.Shared.Return(chunk);
            }
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

    private void Enqueue<TState>(EventId eventId, TState state, Func<TState, Exception?, string> formatter)
    {
        if (Interlocked.Read(ref _queuedBytes) > MaxQueuedBytes)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var buffer = new ArrayBufferWriterOnPool(1024);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", eventId.Id);
            json.WriteString("LogLevel", "Information");
            json.WriteString("Category", _category);
            json.WriteString("Message", formatter(state, null));
            if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                json.WriteStartObject("State");
                for (int i = 0; i < properties.Count; i++)
                {
                    (string name, object? value) = properties[i];
                    if (name == "{OriginalFormat}")
                    {
                        continue;
                    }

                    switch (value)
                    {
                        case null: json.WriteNull(name); break;
                        case string text: json.WriteString(name, text); break;
                        case int number: json.WriteNumber(name, number); break;
                        case long number: json.WriteNumber(name, number); break;
                        case double number: json.WriteNumber(name, number); break;
                        default: json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        Interlocked.Add(ref _queuedBytes, buffer.Length);
        _lines.Enqueue((buffer.Array, buffer.Length));
    }

    private sealed class LineLogger(AccessLogLineWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                writer.Enqueue(eventId, state, formatter);
            }
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> on one array rented from the shared pool; the queue returns it after writing.</summary>
    private sealed class ArrayBufferWriterOnPool(int initialSize) : IBufferWriter<byte>
    {
        public byte[] Array { get; private set; } = ArrayPool<byte>.Shared.Rent(initialSize);

        public int Length { get; private set; }

        public void Advance(int count) => Length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Grow(sizeHint);
            return Array.AsMemory(Length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Grow(sizeHint);
            return Array.AsSpan(Length);
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(GetSpan(bytes.Length));
            Advance(bytes.Length);
        }

        private void Grow(int sizeHint)
        {
            if (Array.Length - Length >= Math.Max(sizeHint, 1))
            {
                return;
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Array.Length * 2, Length + sizeHint));
            Array.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Array);
            Array = larger;
        }
    }
}
