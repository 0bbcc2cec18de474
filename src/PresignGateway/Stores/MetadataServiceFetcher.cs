using System.Globalization;

namespace PresignGateway.Stores;

/// <summary>
/// An instance metadata service in its token (hardened) mode: <c>PUT /latest/api/token</c>, then the role name (unless
/// configured) and the role's credential document. Alibaba ECS (<see cref="ForEcs"/>) and AWS IMDSv2
/// (<see cref="ForImds"/>) differ only in names.
/// </summary>
internal sealed class MetadataServiceFetcher : ICredentialFetcher
{
    // Six hours, the longest both services allow; a new token is asked for at each refresh anyway.
    private const int TokenTtlSeconds = 21600;

    private readonly Uri _endpoint;
    private readonly string? _role;
    private readonly string _ttlHeader;
    private readonly string _tokenHeader;
    private readonly string _credentialsPath;
    private readonly CredentialAnswers.AnswerFields _fields;

    private MetadataServiceFetcher(string sourceName, Uri endpoint, string? role, string ttlHeader, string tokenHeader, string credentialsPath, CredentialAnswers.AnswerFields fields)
    {
        SourceName = sourceName;
        _endpoint = endpoint;
        _role = role;
        _ttlHeader = ttlHeader;
        _tokenHeader = tokenHeader;
        _credentialsPath = credentialsPath;
        _fields = fields;
        EndpointHost = CredentialFetchContext.HostOf(endpoint);
        Fingerprint = CredentialFetchContext.Fingerprint(sourceName, endpoint.AbsoluteUri, role);
    }

    public string SourceName { get; }

    public string EndpointHost { get; }

    public string Fingerprint { get; }

    public static MetadataServiceFetcher ForEcs(Uri endpoint, string? role) => new(
        "EcsRamRole", endpoint, role, "X-aliyun-ecs-metadata-token-ttl-seconds", "X-aliyun-ecs-metadata-token", "/latest/meta-data/ram/security-credentials/", CredentialAnswers.AlibabaDocument);

    public static MetadataServiceFetcher ForImds(Uri endpoint, string? role) => new(
        "Imds", endpoint, role, "X-aws-ec2-metadata-token-ttl-seconds", "X-aws-ec2-metadata-token", "/latest/meta-data/iam/security-credentials/", CredentialAnswers.ImdsDocument);

    public async Task<StoreCredentials> FetchAsync(CredentialFetchContext context, CancellationToken cancellationToken)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, new Uri(_endpoint, "/latest/api/token"));
        tokenRequest.Headers.Add(_ttlHeader, TokenTtlSeconds.ToString(CultureInfo.InvariantCulture));
        (System.Net.HttpStatusCode status, string token) = await context.SendAsync(CredentialFetchContext.MetadataClient, tokenRequest, cancellationToken).ConfigureAwait(false);
        if (status != System.Net.HttpStatusCode.OK || string.IsNullOrWhiteSpace(token))
        {
            throw new CredentialFetchException($"the metadata token request got HTTP {(int)status}");
        }

        token = token.Trim();
        string role = _role ?? await GetRoleNameAsync(token, context, cancellationToken).ConfigureAwait(false);
        role = role.Trim();
        if (role.Length == 0 || role.Contains('\n', StringComparison.Ordinal) || role.Contains('/', StringComparison.Ordinal))
        {
            throw new CredentialFetchException("the metadata service names no single role (attach one to the instance, or set Credentials:RoleName)");
        }

        using var request = Get(_credentialsPath + Uri.EscapeDataString(role), token);
        (status, string body) = await context.SendAsync(CredentialFetchContext.MetadataClient, request, cancellationToken).ConfigureAwait(false);
        return CredentialAnswers.FromJsonDocument(status, body, _fields, context.Time.GetUtcNow());
    }

    /// <summary>The instance's role, listed at the credentials path when the settings name none.</summary>
    private async Task<string> GetRoleNameAsync(string token, CredentialFetchContext context, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Get(_credentialsPath, token);
        (System.Net.HttpStatusCode status, string body) = await context.SendAsync(CredentialFetchContext.MetadataClient, request, cancellationToken).ConfigureAwait(false);
        return status == System.Net.HttpStatusCode.OK ? body : throw new CredentialFetchException($"the request for the role name got HTTP {(int)status}");
    }

    private HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, path));
        request.Headers.Add(_tokenHeader, token);
        return request;
    }
}
