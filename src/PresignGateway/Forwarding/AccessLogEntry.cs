using System.Collections;
using System.Globalization;

namespace PresignGateway.Forwarding;

/// <summary>
/// One access-log line (event 100 of <c>PresignGateway.Access</c>), as the state the logging pipeline carries. It is
/// hand-written rather than <c>[LoggerMessage]</c> because it is written once per request: providers that read
/// structured state see the twelve named values (and <c>{OriginalFormat}</c>) as a generated message would give them,
/// while the batched JSON writer (Hosting/AccessLogLineWriter) recognises the type and reads the fields themselves,
/// so the line costs no boxing and no message string.
/// </summary>
internal readonly struct AccessLogEntry(
    string method,
    string host,
    string path,
    int status,
    long bytesSent,
    double durationMs,
    string? client,
    string site,
    string mode,
    string? cacheTier,
    int? upstreamStatus,
    string traceId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string MessageFormat = "{Method} {Host} {Path} {Status} {BytesSent} B {DurationMs} ms client={Client} site={Site} mode={Mode} cache={CacheTier} upstream={UpstreamStatus} trace={TraceId}";

    public static readonly EventId EventId = new(100, "Access");

    public static readonly Func<AccessLogEntry, Exception?, string> Formatter = static (entry, _) => entry.ToString();

    private const int ValueCount = 12;

    public string Method { get; } = method;

    public string Host { get; } = host;

    /// <summary>The decoded path, without its query: a signed link's <c>sig</c> and <c>expires</c> never show.</summary>
    public string Path { get; } = path;

    public int Status { get; } = status;

    public long BytesSent { get; } = bytesSent;

    public double DurationMs { get; } = durationMs;

    public string? Client { get; } = client;

    public string Site { get; } = site;

    public string Mode { get; } = mode;

    public string? CacheTier { get; } = cacheTier;

    public int? UpstreamStatus { get; } = upstreamStatus;

    public string TraceId { get; } = traceId;

    public int Count => ValueCount + 1;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(Method), Method),
        1 => new(nameof(Host), Host),
        2 => new(nameof(Path), Path),
        3 => new(nameof(Status), Status),
        4 => new(nameof(BytesSent), BytesSent),
        5 => new(nameof(DurationMs), DurationMs),
        6 => new(nameof(Client), Client),
        7 => new(nameof(Site), Site),
        8 => new(nameof(Mode), Mode),
        9 => new(nameof(CacheTier), CacheTier),
        10 => new(nameof(UpstreamStatus), UpstreamStatus),
        11 => new(nameof(TraceId), TraceId),
        12 => new("{OriginalFormat}", MessageFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Writes the line at Information (the category's level filter applies as for any other log).</summary>
    public void WriteTo(ILogger logger) => logger.Log(LogLevel.Information, EventId, this, null, Formatter);

    /// <summary>The message, formatted into <paramref name="destination"/>; false when it does not fit.</summary>
    public bool TryFormatMessage(Span<char> destination, out int written)
    {
        written = 0;
        if (!destination.TryWrite(
            CultureInfo.InvariantCulture,
            $"{Method} {Host} {Path} {Status} {BytesSent} B {DurationMs} ms client={Client ?? "-"} site={Site} mode={Mode} cache={CacheTier ?? "-"} upstream=",
            out int head))
        {
            return false;
        }

        Span<char> rest = destination[head..];
        int tail;
        bool fits = UpstreamStatus is int upstream
            ? rest.TryWrite(CultureInfo.InvariantCulture, $"{upstream} trace={TraceId}", out tail)
            : rest.TryWrite(CultureInfo.InvariantCulture, $"- trace={TraceId}", out tail);
        written = fits ? head + tail : 0;
        return fits;
    }

    public override string ToString()
    {
        // A cleaned path can be long (Kestrel allows 8 KiB of request line, and cleaning writes a control character as six).
        for (int size = 512; ; size *= 2)
        {
            char[] buffer = System.Buffers.ArrayPool<char>.Shared.Rent(size);
            try
            {
                if (TryFormatMessage(buffer, out int written))
                {
                    return new string(buffer, 0, written);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<char>.Shared.Return(buffer);
            }
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
