using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Stores;

/// <summary>
/// What fetchers share: the named HTTP clients (no redirects, short timeouts, no logging of URLs), the clock, and the
/// reading of answers with a size cap before anything parses them.
/// </summary>
internal sealed class CredentialFetchContext(IHttpClientFactory clients, TimeProvider time)
{
    /// <summary>Metadata services and container endpoints: link-local or loopback, so never through a proxy.</summary>
    public const string MetadataClient = "presign-gateway-credentials-metadata";

    /// <summary>STS: a public endpoint, through the environment's proxy if there is one.</summary>
    public const string StsClient = "presign-gateway-credentials-sts";

    /// <summary>Credential answers are a few hundred bytes; anything past this is not one.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    public TimeProvider Time => time;

    /// <summary>Sends <paramref name="request"/> and reads the answer's status and body (at most <see cref="MaxAnswerBytes"/>).</summary>
    /// <exception cref="CredentialFetchException">No answer, or one too large.</exception>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpClient http = clients.CreateClient(client);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                throw new CredentialFetchException($"the answer (HTTP {(int)response.StatusCode}) is larger than {MaxAnswerBytes / 1024} KiB");
            }

            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                byte[] buffer = new byte[MaxAnswerBytes + 1];
                int length = 0;
                int read;
                while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                if (length > MaxAnswerBytes)
                {
                    throw new CredentialFetchException($"the answer (HTTP {(int)response.StatusCode}) is larger than {MaxAnswerBytes / 1024} KiB");
                }

                return (response.StatusCode, Encoding.UTF8.GetString(buffer, 0, length));
            }
        }
        catch (HttpRequestException e)
        {
            throw new CredentialFetchException($"no answer ({(e.HttpRequestError == HttpRequestError.Unknown ? "the connection failed" : e.HttpRequestError.ToString())})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CredentialFetchException($"no answer within {http.Timeout.TotalSeconds:0} s");
        }
        catch (IOException)
        {
            throw new CredentialFetchException("the connection broke while reading the answer");
        }
    }

    /// <summary>A token file's content, trimmed; read at every refresh because the platform rotates it.</summary>
    public static async Task<string> ReadTokenFileAsync(string path, string setting, CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialFetchException($"the token file {path} ({setting}) can't be read ({e.GetType().Name})");
        }

        return token.Length == 0 ? throw new CredentialFetchException($"the token file {path} ({setting}) is empty") : token;
    }

    /// <summary>The host and port of <paramref name="uri"/>, for messages.</summary>
    public static string HostOf(Uri uri) => uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";

    /// <summary>A hash of a fetcher's settings: compared across reloads, never shown, and no secret in clear.</summary>
    public static string Fingerprint(params string?[] parts)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts.Select(p => p ?? "\0")))));
}
