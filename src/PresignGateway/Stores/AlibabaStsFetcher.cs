using System.Globalization;
using System.Text;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// Alibaba Cloud STS, RPC style: <c>AssumeRoleWithOIDC</c> for ACK RRSA (unsigned; the OIDC token file is read again at
/// every refresh because ACK rotates it) and <c>AssumeRole</c> signed with base keys (HMAC-SHA1,
/// <see cref="AlibabaRpcSignature"/>). Every parameter travels in the POST body, so no URL carries a token.
/// </summary>
internal sealed class AlibabaStsFetcher : ICredentialFetcher
{
    private readonly Uri _endpoint;
    private readonly string _roleArn;
    private readonly string _sessionName;
    private readonly int _durationSeconds;
    private readonly string? _policy;
    private readonly string? _oidcProviderArn;
    private readonly string? _oidcTokenFile;
    private readonly Credentials? _baseKeys;
    private readonly string? _externalId;

    private AlibabaStsFetcher(
        string sourceName, Uri endpoint, string roleArn, string sessionName, int durationSeconds, string? policy,
        string? oidcProviderArn, string? oidcTokenFile, Credentials? baseKeys, string? externalId)
    {
        SourceName = sourceName;
        _endpoint = endpoint;
        _roleArn = roleArn;
        _sessionName = sessionName;
        _durationSeconds = durationSeconds;
        _policy = policy;
        _oidcProviderArn = oidcProviderArn;
        _oidcTokenFile = oidcTokenFile;
        _baseKeys = baseKeys;
        _externalId = externalId;
        EndpointHost = CredentialFetchContext.HostOf(endpoint);
        Fingerprint = CredentialFetchContext.Fingerprint(
            sourceName, endpoint.AbsoluteUri, roleArn, sessionName, durationSeconds.ToString(CultureInfo.InvariantCulture), policy, oidcProviderArn, oidcTokenFile,
            baseKeys?.AccessKeyId, baseKeys?.AccessKeySecret, baseKeys?.SecurityToken, externalId);
    }

    public string SourceName { get; }

    public string EndpointHost { get; }

    public string Fingerprint { get; }

    public static AlibabaStsFetcher ForOidc(Uri endpoint, string roleArn, string oidcProviderArn, string oidcTokenFile, string sessionName, int durationSeconds, string? policy)
        => new("Oidc", endpoint, roleArn, sessionName, durationSeconds, policy, oidcProviderArn, oidcTokenFile, null, null);

    public static AlibabaStsFetcher ForAssumeRole(Uri endpoint, Credentials baseKeys, string roleArn, string sessionName, int durationSeconds, string? externalId, string? policy)
        => new("AssumeRole", endpoint, roleArn, sessionName, durationSeconds, policy, null, null, baseKeys, externalId);

    public async Task<StoreCredentials> FetchAsync(CredentialFetchContext context, CancellationToken cancellationToken)
    {
        DateTimeOffset now = context.Time.GetUtcNow();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Format"] = "JSON",
            ["Version"] = "2015-04-01",
            ["Timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["RoleArn"] = _roleArn,
            ["RoleSessionName"] = _sessionName,
            ["DurationSeconds"] = _durationSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (_policy is not null)
        {
            parameters["Policy"] = _policy;
        }

        if (_baseKeys is null)
        {
            parameters["Action"] = "AssumeRoleWithOIDC";
            parameters["OIDCProviderArn"] = _oidcProviderArn!;
            parameters["OIDCToken"] = await CredentialFetchContext.ReadTokenFileAsync(_oidcTokenFile!, "Credentials:OidcTokenFile", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            parameters["Action"] = "AssumeRole";
            parameters["AccessKeyId"] = _baseKeys.AccessKeyId;
            parameters["SignatureMethod"] = "HMAC-SHA1";
            parameters["SignatureVersion"] = "1.0";
            parameters["SignatureNonce"] = Guid.NewGuid().ToString("N");
            if (_baseKeys.SecurityToken is not null)
            {
                parameters["SecurityToken"] = _baseKeys.SecurityToken;
            }

            if (_externalId is not null)
            {
                parameters["ExternalId"] = _externalId;
            }

            parameters["Signature"] = AlibabaRpcSignature.Sign("POST", parameters, _baseKeys.AccessKeySecret);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new StringContent(AlibabaRpcSignature.CanonicalQuery(parameters), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        (System.Net.HttpStatusCode status, string body) = await context.SendAsync(CredentialFetchContext.StsClient, request, cancellationToken).ConfigureAwait(false);
        return CredentialAnswers.FromAlibabaSts(status, body, context.Time.GetUtcNow());
    }
}
