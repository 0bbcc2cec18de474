using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace PresignGateway.Benchmarks;

/// <summary>
/// The cost of the two hashes every V4 URL needs (SHA-256 of a ~330-byte canonical request, HMAC-SHA256 of a
/// ~120-byte string to sign), one-shot and with reused contexts: the floor under any V4 presign on this machine.
/// </summary>
[MemoryDiagnoser]
public class CryptoFloorBenchmarks : IDisposable
{
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _canonicalRequest = RandomNumberGenerator.GetBytes(330);
    private readonly byte[] _stringToSign = RandomNumberGenerator.GetBytes(120);
    private readonly byte[] _digest = new byte[32];
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _hmac;

    public CryptoFloorBenchmarks() => _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _signingKey);

    [Benchmark(Baseline = true)]
    public void OneShot()
    {
        SHA256.HashData(_canonicalRequest, _digest);
        HMACSHA256.HashData(_signingKey, _stringToSign, _digest);
    }

    [Benchmark]
    public void ReusedContexts()
    {
        _sha256.AppendData(_canonicalRequest);
        _sha256.GetHashAndReset(_digest);
        _hmac.AppendData(_stringToSign);
        _hmac.GetHashAndReset(_digest);
    }

    public void Dispose()
    {
        _sha256.Dispose();
        _hmac.Dispose();
        GC.SuppressFinalize(this);
    }
}
