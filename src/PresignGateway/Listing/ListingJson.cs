using System.Text.Json;

namespace PresignGateway.Listing;

/// <summary>
/// The JSON listing: <c>{"path", "entries": [{"name", "type", "size", "lastModified", "etag"}], "next"}</c>. A folder's
/// name has no trailing '/', and its size, date and ETag are null; <c>next</c> is the cursor for <c>?page=</c>, or null.
/// </summary>
internal static class ListingJson
{
    public static byte[] Render(in ListingView view)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024 + (view.Page.Entries.Length * 160));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("path", view.Path);
            json.WriteStartArray("entries");
            foreach (ListingEntry entry in view.Page.Entries)
            {
                json.WriteStartObject();
                json.WriteString("name", entry.Name);
                json.WriteString("type", entry.IsDirectory ? "directory" : "file");
                if (entry.IsDirectory)
                {
                    json.WriteNull("size");
                    json.WriteNull("lastModified");
                    json.WriteNull("etag");
                }
                else
                {
                    json.WriteNumber("size", entry.Size);
                    if (entry.LastModified is { } modified)
                    {
                        json.WriteString("lastModified", ListingText.IsoDate(modified));
                    }
                    else
                    {
                        json.WriteNull("lastModified");
                    }

                    json.WriteString("etag", entry.ETag);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("next", view.NextCursor);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
