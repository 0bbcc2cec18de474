namespace PresignGateway.Stores;

/// <summary>
/// A URL that answers a credential document to a plain GET: Alibaba's <c>ALIBABA_CLOUD_CREDENTIALS_URI</c>
/// (<see cref="ForCredentialsUri"/>), and the AWS container endpoint of ECS task roles and EKS Pod Identity
/// (<see cref="ForContainer"/>), which wants an <c>Authorization</c> token, read from its file at every refresh.
/// </summary>
internal sealed class CredentialDocumentFetcher : ICredentialFetcher
{
    private readonly Uri _uri;
    private readonly CredentialAnswers.AnswerFields _fields;
    private readonly string? _authorizationFile;
    private readonly string? _authorization;

    private CredentialDocumentFetcher(string sourceName, Uri uri, CredentialAnswers.AnswerFields fields, string? authorizationFile, string? authorization)
    {
        SourceName = sourceName;
        _uri = uri;
        _fields = fields;
        _authorizationFile = authorizationFile;
        _authorization = authorization;
        EndpointHost = CredentialFetchContext.HostOf(uri);
        Fingerprint = CredentialFetchContext.Fingerprint(sourceName, uri.AbsoluteUri, authorizationFile, authorization);
    }

    public string SourceName { get; }

    public string EndpointHost { get; }

    public string Fingerprint { get; }

    public static CredentialDocumentFetcher ForCredentialsUri(Uri uri) => new("CredentialsUri", uri, CredentialAnswers.AlibabaDocument, null, null);

    public static CredentialDocumentFetcher ForContainer(Uri uri, string? authorizationFile, string? authorization)
        => new("Container", uri, CredentialAnswers.ContainerDocument, authorizationFile, authorization);

    public async Task<StoreCredentials> FetchAsync(CredentialFetchContext context, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        string? authorization = _authorizationFile is not null
            ? await CredentialFetchContext.ReadTokenFileAsync(_authorizationFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", cancellationToken).ConfigureAwait(false)
            : _authorization;
        if (authorization is not null && !request.Headers.TryAddWithoutValidation("Authorization", authorization))
        {
            throw new CredentialFetchException("the container authorization token is not a valid header value");
        }

        (System.Net.HttpStatusCode status, string body) = await context.SendAsync(CredentialFetchContext.MetadataClient, request, cancellationToken).ConfigureAwait(false);
        return CredentialAnswers.FromJsonDocument(status, body, _fields, context.Time.GetUtcNow());
    }
}
