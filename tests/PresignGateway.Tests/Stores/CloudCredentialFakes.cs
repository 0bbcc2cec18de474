using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Stores;

/// <summary>One fake per kind for a test class, started on first use and stopped with the class.</summary>
public sealed class CloudCredentialFakes : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, CloudCredentialFake> _fakes = [];

    /// <summary>The fake of <paramref name="kind"/>, in mode <c>ok</c> with keys of <paramref name="ttlSeconds"/> and no recorded requests.</summary>
    public async Task<CloudCredentialFake> GetAsync(string kind, TestStore store, int ttlSeconds = 3600)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_fakes.TryGetValue(kind, out CloudCredentialFake? fake))
            {
                fake = await CloudCredentialFake.StartAsync(kind, store, ttlSeconds);
                _fakes[kind] = fake;
            }

            await fake.SetModeAsync("ok");
            await fake.SetTtlAsync(ttlSeconds);
            await fake.ClearRequestsAsync();
            return fake;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (CloudCredentialFake fake in _fakes.Values)
        {
            await fake.DisposeAsync();
        }

        _gate.Dispose();
    }
}
