using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// AWS STS, query API over POST: <c>AssumeRoleWithWebIdentity</c> for EKS IRSA (unsigned; the token file is read again
/// at every refresh) and <c>AssumeRole</c> signed with SigV4 by base keys (<see cref="SigV4HeaderSigner"/>).
/// </summary>
internal sealed class AwsStsFetcher : ICredentialFetcher
{
    private const string FormType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly string _roleArn;
    private readonly string _sessionName;
    private readonly int _durationSeconds;
    private readonly string? _tokenFile;
    private readonly Credentials? _baseKeys;
    private readonly string? _externalId;

    private AwsStsFetcher(string sourceName, Uri endpoint, string region, string roleArn, string sessionName, int durationSeconds, string? tokenFile, Credentials? baseKeys, string? externalId)
    {
        SourceName = sourceName;
        _endpoint = endpoint;
        _region = region;
        _roleArn = roleArn;
        _sessionName = sessionName;
        _durationSeconds = durationSeconds;
        _tokenFile = tokenFile;
        _baseKeys = baseKeys;
        _externalId = externalId;
        EndpointHost = CredentialFetchContext.HostOf(endpoint);
        Fingerprint = CredentialFetchContext.Fingerprint(
            sourceName, endpoint.AbsoluteUri, region, roleArn, sessionName, durationSeconds.ToString(CultureInfo.InvariantCulture), tokenFile,
            baseKeys?.AccessKeyId, baseKeys?.AccessKeySecret, baseKeys?.SecurityToken, externalId);
    }

    public string SourceName { get; }

    public string EndpointHost { get; }

    public string Fingerprint { get; }

    public static AwsStsFetcher ForWebIdentity(Uri endpoint, string region, string roleArn, string tokenFile, string sessionName, int durationSeconds)
        => new("WebIdentity", endpoint, region, roleArn, sessionName, durationSeconds, tokenFile, null, null);

    public static AwsStsFetcher ForAssumeRole(Uri endpoint, string region, Credentials baseKeys, string roleArn, string sessionName, int durationSeconds, string? externalId)
        => new("AssumeRole", endpoint, region, roleArn, sessionName, durationSeconds, null, baseKeys, externalId);

    public async Task<StoreCredentials> FetchAsync(CredentialFetchContext context, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", _baseKeys is null ? "AssumeRoleWithWebIdentity" : "AssumeRole"),
            new("Version", "2011-06-15"),
            new("RoleArn", _roleArn),
            new("RoleSessionName", _sessionName),
            new("DurationSeconds", _durationSeconds.ToString(CultureInfo.InvariantCulture)),
        };
        if (_baseKeys is null)
        {
            form.Add(new("WebIdentityToken", await CredentialFetchContext.ReadTokenFileAsync(_tokenFile!, "AWS_WEB_IDENTITY_TOKEN_FILE", cancellationToken).ConfigureAwait(false)));
        }
        else if (_externalId is not null)
        {
            form.Add(new("ExternalId", _externalId));
        }

        byte[] body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(FormType);
        if (_baseKeys is not null)
        {
            Sign(request, body, context.Time.GetUtcNow());
        }

        (System.Net.HttpStatusCode status, string answer) = await context.SendAsync(CredentialFetchContext.StsClient, request, cancellationToken).ConfigureAwait(false);
        return CredentialAnswers.FromAwsSts(status, answer, context.Time.GetUtcNow());
    }

    private void Sign(HttpRequestMessage request, byte[] body, DateTimeOffset now)
    {
        string amzDate = SigV4HeaderSigner.AmzDate(now);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("content-type", FormType),
            new("host", EndpointHost),
            new("x-amz-date", amzDate),
        };
        request.Headers.Add("X-Amz-Date", amzDate);
        if (_baseKeys!.SecurityToken is { } token)
        {
            headers.Add(new("x-amz-security-token", token));
            request.Headers.Add("X-Amz-Security-Token", token);
        }

        // An absolute http(s) URI's path is at least "/".
        request.Headers.TryAddWithoutValidation("Authorization", SigV4HeaderSigner.Authorization("POST", _endpoint.AbsolutePath, "", headers, body, _region, "sts", _baseKeys, now));
    }
}
