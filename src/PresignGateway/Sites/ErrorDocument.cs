using System.Collections.Frozen;
using System.Globalization;

namespace PresignGateway.Sites;

/// <summary>
/// A site's own page for one error status (<c>Gateway:Sites:&lt;name&gt;:ErrorDocuments:&lt;status&gt;</c>), like a
/// static website's ErrorDocument: an object in the site's store, named by its key from the bucket's root (the
/// site's KeyPrefix does not apply, as with S3 and OSS static websites). One instance per site and status per
/// configuration, so what is fetched for it can be kept with it.
/// </summary>
internal sealed class ErrorDocument(int status, string key)
{
    /// <summary>The statuses the gateway answers a request of a site with; other statuses never reach a site's page.</summary>
    public static readonly FrozenSet<int> Statuses = FrozenSet.Create(400, 403, 404, 405, 412, 414, 416, 429, 431, 502, 504);

    public int Status { get; } = status;

    public string Key { get; } = key;

    /// <summary>The documents of one site, each checked: a status of <see cref="Statuses"/> and a key the gateway may sign.</summary>
    public static FrozenDictionary<int, ErrorDocument> Build(string setting, IReadOnlyDictionary<string, string> configured, ICollection<string> errors)
    {
        if (configured.Count == 0)
        {
            return FrozenDictionary<int, ErrorDocument>.Empty;
        }

        var documents = new Dictionary<int, ErrorDocument>();
        string allowed = string.Join(", ", Statuses.Order());
        foreach ((string statusText, string key) in configured)
        {
            if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out int status) || !Statuses.Contains(status))
            {
                errors.Add($"{setting}:{statusText}: name a status the gateway answers with, one of {allowed}.");
            }
            else if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add($"{setting}:{statusText} is empty: give the object key of the page, from the bucket's root, such as errors/{status}.html.");
            }
            else if (ObjectKeyRules.Check(key) is { } problem)
            {
                errors.Add($"{setting}:{statusText} '{key}': {problem}");
            }
            else
            {
                documents[status] = new ErrorDocument(status, key);
            }
        }

        return documents.ToFrozenDictionary();
    }
}
