using System.Globalization;
using System.Xml;

namespace PresignGateway.Listing;

/// <summary>
/// Reads a ListObjectsV2 answer of either dialect (OSS: no namespace; S3: the 2006-03-01 namespace) into a
/// <see cref="ListingPage"/>, streaming with an async XmlReader: no DTD, no external entities, at most
/// <see cref="MaxBytes"/>. With <c>encoding-type=url</c> the stores percent-encode keys and prefixes (a space as '+'),
/// which is how keys with characters XML can't carry arrive at all: they are decoded once here.
/// </summary>
internal static class ListBucketResultReader
{
    /// <summary>1,000 keys of 1 KiB, percent-encoded, with their dates and ETags: about 1.5 MiB; room to spare, and a bound.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly XmlReaderSettings Settings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = MaxBytes,
        CloseInput = false,
    };

    /// <summary>The page under <paramref name="listedPrefix"/>; entries outside it (a store that ignored the prefix) are dropped.</summary>
    /// <exception cref="InvalidDataException">The document is not a ListBucketResult, or is too large.</exception>
    public static async Task<ListingPage> ReadAsync(Stream body, string listedPrefix, CancellationToken cancellationToken)
    {
        var objects = new List<(string Key, string? Size, string? LastModified, string? ETag)>();
        var prefixes = new List<string>();
        string? encodingType = null;
        string? nextToken = null;
        bool truncated = false;
        bool oss = false;
        try
        {
            using XmlReader reader = XmlReader.Create(new BoundedStream(body, MaxBytes), Settings);
            if (await reader.MoveToContentAsync().ConfigureAwait(false) != XmlNodeType.Element || reader.LocalName != "ListBucketResult")
            {
                throw new InvalidDataException("The store's answer is not a ListBucketResult.");
            }

            // OSS answers without a namespace, S3 in its 2006-03-01 namespace.
            oss = reader.NamespaceURI.Length == 0;
            if (reader.IsEmptyElement)
            {
                return ListingPage.Empty;
            }

            await reader.ReadAsync().ConfigureAwait(false);
            while (!reader.EOF && reader.NodeType != XmlNodeType.EndElement)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.NodeType != XmlNodeType.Element)
                {
                    await reader.SkipAsync().ConfigureAwait(false);
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "Contents":
                        objects.Add(await ReadContentsAsync(reader).ConfigureAwait(false));
                        break;
                    case "CommonPrefixes":
                        if (await ReadChildAsync(reader, "Prefix").ConfigureAwait(false) is { } prefix)
                        {
                            prefixes.Add(prefix);
                        }

                        break;
                    case "IsTruncated":
                        truncated = string.Equals(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), "true", StringComparison.OrdinalIgnoreCase);
                        break;
                    case "NextContinuationToken":
                        nextToken = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        break;
                    case "EncodingType":
                        encodingType = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        break;
                    default:
                        await reader.SkipAsync().ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            throw new InvalidDataException("The store's listing is not well-formed XML.", e);
        }

        // Decided once the whole document is read: EncodingType may come after the keys.
        bool encoded = string.Equals(encodingType, "url", StringComparison.OrdinalIgnoreCase);
        var entries = new List<ListingEntry>(prefixes.Count + objects.Count);
        foreach (string raw in prefixes)
        {
            string prefix = encoded ? UrlDecode(raw) : raw;
            if (prefix.Length > listedPrefix.Length && prefix.StartsWith(listedPrefix, StringComparison.Ordinal) && prefix.EndsWith('/'))
            {
                entries.Add(new ListingEntry(prefix[listedPrefix.Length..^1], true, 0, null, null));
            }
        }

        foreach ((string rawKey, string? size, string? lastModified, string? etag) in objects)
        {
            string key = encoded ? UrlDecode(rawKey) : rawKey;
            // The directory's own marker object ("folder/") is not an entry; a '/' further on means the store didn't group.
            if (key.Length <= listedPrefix.Length || !key.StartsWith(listedPrefix, StringComparison.Ordinal) || key.IndexOf('/', listedPrefix.Length) >= 0)
            {
                continue;
            }

            entries.Add(new ListingEntry(
                key[listedPrefix.Length..],
                false,
                long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : 0,
                DateTimeOffset.TryParse(lastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset modified) ? modified : null,
                etag?.Trim('"')));
        }

        // OSS URL-encodes its tokens too (its SDKs unescape them); S3's are base64 with '+' and '/', never encoded.
        if (encoded && oss && nextToken is not null)
        {
            nextToken = UrlDecode(nextToken);
        }

        return new ListingPage([.. entries], truncated && !string.IsNullOrEmpty(nextToken) ? nextToken : null);
    }

    private static async Task<(string Key, string? Size, string? LastModified, string? ETag)> ReadContentsAsync(XmlReader reader)
    {
        string key = "";
        string? size = null, lastModified = null, etag = null;
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            return (key, size, lastModified, etag);
        }

        await reader.ReadAsync().ConfigureAwait(false);
        while (!reader.EOF && reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                await reader.SkipAsync().ConfigureAwait(false);
                continue;
            }

            switch (reader.LocalName)
            {
                case "Key":
                    key = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                case "Size":
                    size = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                case "LastModified":
                    lastModified = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                case "ETag":
                    etag = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                default:
                    await reader.SkipAsync().ConfigureAwait(false);
                    break;
            }
        }

        await reader.ReadAsync().ConfigureAwait(false);
        return (key, size, lastModified, etag);
    }

    /// <summary>The text of the child <paramref name="name"/> of the current element, which is consumed.</summary>
    private static async Task<string?> ReadChildAsync(XmlReader reader, string name)
    {
        string? value = null;
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            return null;
        }

        await reader.ReadAsync().ConfigureAwait(false);
        while (!reader.EOF && reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == name)
            {
                value = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        await reader.ReadAsync().ConfigureAwait(false);
        return value;
    }

    /// <summary>
    /// Decodes the stores' URL encoding once: %XX as UTF-8 bytes and '+' as a space (both stores encode a '+' as %2B).
    /// Bytes that are not UTF-8 become U+FFFD rather than failing the whole page.
    /// </summary>
    internal static string UrlDecode(string value)
        => value.AsSpan().IndexOfAny('%', '+') < 0 ? value : System.Net.WebUtility.UrlDecode(value);

    /// <summary>Fails a read past <c>limit</c> bytes, so a store can't make the gateway buffer an endless listing.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read <= limit ? read : throw new InvalidDataException($"The store's listing is larger than {limit} bytes.");
        }
    }
}
