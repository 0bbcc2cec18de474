using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using PresignGateway.Configuration;

namespace PresignGateway.Forwarding;

/// <summary>
/// Streams the store's response body to the client. YARP's own copy moves 64 KiB per read and per write; on large
/// objects the per-chunk cost (system calls, waking the threads on both sides) dominated, at about four times
/// nginx's CPU per byte. Here each read asks the store's connection for up to <c>Gateway:Upstream:BodyBufferSize</c>
/// bytes, straight into the memory of Kestrel's output pipe (the HTTP handler reads large requests directly from the
/// socket), so the body is not copied again in user space and each chunk costs one receive and one send. Kestrel's
/// response buffer limit and minimum data rate still apply to the client side. The gateway registers no OnStarting
/// callbacks, so the first GetMemory (which starts the response) never waits on one. Both settings are read at the
/// start of each copy, so a reload applies to the next download.
/// </summary>
internal sealed class ResponseBodyCopier(OptionsInForce options)
{

    /// <param name="content">The store's response content.</param>
    /// <param name="response">The client's response, headers already set.</param>
    /// <param name="exchange">Counts the bytes handed to the client (<see cref="DownloadExchange.BytesSent"/>).</param>
    /// <param name="firstReadToken">
    /// YARP's activity token, armed when the store's headers arrived: it bounds the first read, so a small body needs
    /// no timer of its own.
    /// </param>
    /// <param name="requestAborted">Signalled when the client goes away.</param>
    public async ValueTask<BodyCopyOutcome> CopyAsync(HttpContent content, HttpResponse response, DownloadExchange exchange, CancellationToken firstReadToken, CancellationToken requestAborted)
    {
        long? remaining = content.Headers.ContentLength;
        if (remaining == 0)
        {
            return BodyCopyOutcome.Completed;
        }

        Stream source;
        try
        {
            // The handler has buffered nothing: this hands out the connection's stream, synchronously in practice.
            source = await content.ReadAsStreamAsync(firstReadToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            return requestAborted.IsCancellationRequested ? BodyCopyOutcome.ClientGone : BodyCopyOutcome.StoreFailed;
        }

        UpstreamOptions upstream = options.Current.Upstream;
        int bufferSize = upstream.BodyBufferSize;
        TimeSpan idleTimeout = upstream.ResponseHeadersTimeout;
        PipeWriter writer = response.BodyWriter;
        CancellationTokenSource? idle = null;
        CancellationToken readToken = firstReadToken;
        try
        {
            while (true)
            {
                // A body that fits in one read asks only for its own size (a small object takes one pooled 4 KiB
                // block); a larger one gets a buffer the pipe rents for this chunk and returns once it is sent.
                int sizeHint = remaining is { } left && left < bufferSize ? (int)left : bufferSize;
                Memory<byte> memory = writer.GetMemory(sizeHint);
                int read;
                try
                {
                    read = await source.ReadAsync(memory, readToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return requestAborted.IsCancellationRequested ? BodyCopyOutcome.ClientGone : BodyCopyOutcome.StoreStalled;
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return requestAborted.IsCancellationRequested ? BodyCopyOutcome.ClientGone : BodyCopyOutcome.StoreFailed;
                }

                if (read == 0)
                {
                    // The handler throws when the store ends before its Content-Length, so this is the whole body.
                    return BodyCopyOutcome.Completed;
                }

                idle?.CancelAfter(Timeout.InfiniteTimeSpan);
                writer.Advance(read);
                remaining -= read;
                FlushResult flushed = await writer.FlushAsync(requestAborted).ConfigureAwait(false);
                if (flushed.IsCanceled || flushed.IsCompleted || requestAborted.IsCancellationRequested)
                {
                    return BodyCopyOutcome.ClientGone;
                }

                exchange.BytesSent += read;

                if (remaining == 0)
                {
                    return BodyCopyOutcome.Completed;
                }

                // Reads after the first get their own idle timer, armed only while waiting for the store, so a slow
                // client (bounded by Kestrel's minimum data rate) never counts against the store.
                if (idle is null)
                {
                    idle = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
                    readToken = idle.Token;
                }

                idle.CancelAfter(idleTimeout);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Kestrel reports a client that went away mid-write through these; anything else is a bug and surfaces.
            return BodyCopyOutcome.ClientGone;
        }
        finally
        {
            idle?.Dispose();
        }
    }
}
