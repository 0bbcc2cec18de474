using System.Buffers;
using System.Globalization;
using Microsoft.Net.Http.Headers;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Listing;

/// <summary>
/// Asks a store what is in a directory (ListObjectsV2) and whether an object exists (HEAD), with short-lived
/// presigned URLs sent through the forwarder's own <see cref="HttpMessageInvoker"/> (no redirects, proxy, cookies or
/// decompression), bounded by the upstream response timeout. The URLs are used once and never cached or logged.
/// </summary>
internal sealed class StoreLister(HttpMessageInvoker invoker, OptionsInForce options, ILogger<StoreLister> logger)
{
    /// <summary>Long enough for the request to reach the store, short enough to be worthless if it leaked.</summary>
    internal static readonly TimeSpan UrlLifetime = TimeSpan.FromSeconds(60);

    private static readonly UriCreationOptions ExactUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>One page of <paramref name="prefix"/>, after <paramref name="token"/> when given.</summary>
    /// <exception cref="ListingException">The store refused the token (400) or failed (502, 504).</exception>
    public async Task<ListingPage> ListAsync(Store store, string prefix, int pageSize, string? token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PresignRequest request = PresignRequest.ForBucket(PresignMethod.Get, UrlLifetime, ListObjectsQuery.ForDirectoryPage(prefix, pageSize, token));
        using CancellationTokenSource timeout = Timeout(cancellationToken);
        try
        {
            using HttpResponseMessage response = await SendAsync(store, request, now, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                throw await RefusalAsync(store, response, token is not null, timeout.Token).ConfigureAwait(false);
            }

            if (response.Content.Headers.ContentLength > ListBucketResultReader.MaxBytes)
            {
                throw Failed(store, "ListingTooLarge");
            }

            Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            return await ListBucketResultReader.ReadAsync(body, prefix, timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            throw Failed(store, "ListingUnreadable");
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw Failed(store, e is OperationCanceledException ? "ListingTimeout" : "ListingConnection", StatusCodes.Status504GatewayTimeout);
        }
    }

    /// <summary>True when the object exists (HEAD 200), false when the store says 404.</summary>
    /// <exception cref="ListingException">The store refused or failed.</exception>
    public async Task<bool> ExistsAsync(Store store, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var request = new PresignRequest(PresignMethod.Head, key, UrlLifetime);
        using CancellationTokenSource timeout = Timeout(cancellationToken);
        try
        {
            using HttpResponseMessage response = await SendAsync(store, request, now, timeout.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                System.Net.HttpStatusCode.OK => true,
                System.Net.HttpStatusCode.NotFound => false,
                _ => throw await RefusalAsync(store, response, hadToken: false, timeout.Token).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw Failed(store, e is OperationCanceledException ? "ListingTimeout" : "ListingConnection", StatusCodes.Status504GatewayTimeout);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Store store, PresignRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The keys are read once; a listing URL never outlives them, and with none valid the client may retry later.
        DateTimeOffset storeNow = store.Now(now);
        StoreCredentials? credentials = store.CredentialSource.Latest;
        TimeSpan keysLeft = credentials is null ? TimeSpan.Zero : store.UrlLifetimeFor(credentials, storeNow);
        if (credentials is null || keysLeft <= TimeSpan.Zero)
        {
            throw new ListingException(StatusCodes.Status503ServiceUnavailable, "The credentials for this store are not available yet; try again shortly.");
        }

        if (keysLeft < request.Lifetime)
        {
            request = request.IsBucketRequest
                ? PresignRequest.ForBucket(request.Method, keysLeft, request.Query)
                : new PresignRequest(request.Method, request.Key, keysLeft, request.Query);
        }

        PresignedUrl url;
        try
        {
            url = store.Presign(request, credentials, storeNow);
        }
        catch (InvalidPresignRequestException e)
        {
            // A prefix or index key the provider can't sign (too long, say): the client's path, so a 400.
            throw new ListingException(StatusCodes.Status400BadRequest, e.Reason);
        }

        using var message = new HttpRequestMessage(request.Method == PresignMethod.Head ? HttpMethod.Head : HttpMethod.Get, new Uri(url.Url, ExactUri));
        HttpResponseMessage response = await invoker.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Headers.NonValidated.TryGetValues(HeaderNames.Date, out var dates)
            && DateTimeOffset.TryParseExact(dates.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset storeDate))
        {
            store.Clock.Observe(storeDate, now);
        }

        return response;
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Current.Upstream.ResponseHeadersTimeout);
        return timeout;
    }

    private async Task<ListingException> RefusalAsync(Store store, HttpResponseMessage response, bool hadToken, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StorageErrors.MaxBodyBytes);
        try
        {
            int length = 0;
            if (status is >= 400 and < 500)
            {
                Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                int read;
                while (length < StorageErrors.MaxBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(length, StorageErrors.MaxBodyBytes - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }

            string? ec = response.Headers.NonValidated.TryGetValues("x-oss-ec", out var values) ? values.ToString() : null;
            StorageErrors.Classify(status, buffer.AsSpan(0, length), ec, clientSentHeaders: false, out _, out string code);
            if (hadToken && status == StatusCodes.Status400BadRequest && code == "InvalidArgument")
            {
                // The token is the client's (through the cursor): a token the store no longer takes is the client's problem.
                Log.ListingCursorRefused(logger, store.Name);
                return new ListingException(StatusCodes.Status400BadRequest, "The page cursor is no longer valid: start again from the first page.");
            }

            Log.ListingRefused(logger, store.Name, status, code);
            return new ListingException(StatusCodes.Status502BadGateway, "The storage refused to list this directory.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ListingException Failed(Store store, string reason, int status = StatusCodes.Status502BadGateway)
    {
        Log.ListingFailed(logger, store.Name, reason);
        return new ListingException(status, status == StatusCodes.Status504GatewayTimeout ? "The storage did not answer in time." : "The storage's listing could not be read.");
    }
}
