using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;

namespace PresignGateway.Presigning;

/// <summary>
/// How a presigned URL is written to the shared tier (inside HybridCache's frame):
/// <c>{"url":"...","expiresAt":unix-seconds,"mac":"base64"}</c>. Reading never throws: whatever does not have
/// exactly this shape becomes <see cref="CachedPresignedUrl.Malformed"/>, which the cache rejects and replaces
/// (a throwing serializer would fail the download instead).
/// </summary>
internal sealed class SharedValueSerializer : IHybridCacheSerializer<CachedPresignedUrl>
{
    // '&' and '+' stay readable in redis-cli; quotes, backslashes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public void Serialize(CachedPresignedUrl value, IBufferWriter<byte> target)
    {
        using var writer = new Utf8JsonWriter(target, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("url"u8, value.Url);
        writer.WriteNumber("expiresAt"u8, value.ExpiresAt.ToUnixTimeSeconds());
        writer.WriteBase64String("mac"u8, value.Mac);
        writer.WriteEndObject();
    }

    public CachedPresignedUrl Deserialize(ReadOnlySequence<byte> source)
    {
        try
        {
            return Read(source) ?? CachedPresignedUrl.Malformed();
        }
        catch (JsonException)
        {
            return CachedPresignedUrl.Malformed();
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8 or Base64, read as such.
            return CachedPresignedUrl.Malformed();
        }
    }

    private static CachedPresignedUrl? Read(ReadOnlySequence<byte> source)
    {
        var reader = new Utf8JsonReader(source, new JsonReaderOptions { MaxDepth = 2 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? url = null;
        long? expiresAt = null;
        byte[]? mac = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("url"u8) && url is null && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                url = reader.GetString();
            }
            else if (reader.ValueTextEquals("expiresAt"u8) && expiresAt is null && reader.Read() && reader.TokenType == JsonTokenType.Number
                && reader.TryGetInt64(out long seconds) && seconds >= MinSeconds && seconds <= MaxSeconds)
            {
                expiresAt = seconds;
            }
            else if (reader.ValueTextEquals("mac"u8) && mac is null && reader.Read() && reader.TokenType == JsonTokenType.String
                && reader.TryGetBytesFromBase64(out byte[]? bytes))
            {
                mac = bytes;
            }
            else
            {
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || url is null || expiresAt is null || mac is null)
        {
            return null;
        }

        return new CachedPresignedUrl(url, DateTimeOffset.FromUnixTimeSeconds(expiresAt.Value)) { Mac = mac, FromSharedTier = true };
    }
}
