using System.Net;
using PresignGateway.Stores;

namespace PresignGateway.Tests.Stores;

/// <summary>Answers are read with a size cap before anything parses them, and transport failures become one short reason.</summary>
public sealed class CredentialFetchContextTests
{
    [Theory]
    [InlineData(CredentialFetchContext.MaxAnswerBytes, true, false)]
    [InlineData(CredentialFetchContext.MaxAnswerBytes + 1, true, true)]
    [InlineData(CredentialFetchContext.MaxAnswerBytes + 1, false, true)] // no Content-Length: counted while reading
    [InlineData(10 * 1024 * 1024, false, true)]
    public async Task An_answer_over_64_KiB_is_refused_before_parsing(int size, bool withLength, bool refused)
    {
        var context = new CredentialFetchContext(new StubFactory(_ => Answer(HttpStatusCode.OK, new string('x', size), withLength)), TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/");

        if (refused)
        {
            CredentialFetchException e = await Assert.ThrowsAsync<CredentialFetchException>(() => context.SendAsync("any", request, TestContext.Current.CancellationToken));
            Assert.Equal("the answer (HTTP 200) is larger than 64 KiB", e.Message);
        }
        else
        {
            Assert.Equal(size, (await context.SendAsync("any", request, TestContext.Current.CancellationToken)).Body.Length);
        }
    }

    [Fact]
    public async Task A_connection_failure_is_a_reason_without_a_stack_trace()
    {
        var context = new CredentialFetchContext(
            new StubFactory(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)")), TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/");

        CredentialFetchException e = await Assert.ThrowsAsync<CredentialFetchException>(() => context.SendAsync("any", request, TestContext.Current.CancellationToken));

        Assert.Equal("no answer (ConnectionError)", e.Message);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, bool withLength)
    {
        HttpContent content = withLength ? new StringContent(body) : new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        if (!withLength)
        {
            content.Headers.ContentLength = null;
        }

        return new HttpResponseMessage(status) { Content = content };
    }

    private sealed class StubFactory(Func<HttpRequestMessage, HttpResponseMessage> answer) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new StubHandler(answer));
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
