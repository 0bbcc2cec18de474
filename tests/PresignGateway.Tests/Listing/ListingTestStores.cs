using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Tests.Listing;

/// <summary>A store object for unit tests that never talk to it.</summary>
internal static class ListingTestStores
{
    public static Store Create(string secret = "fake-listing-secret-0001")
    {
        StoreProvider provider = StoreProviders.FindByName("S3V4")!;
        BucketLocation location = BucketLocation.Create("http://127.0.0.1:9", "us-east-1", "bucket", AddressingStyle.Path);
        return new Store("s3", provider, location, new StaticCredentialSource(new Credentials("fake-listing-key-id", secret), "test"), TimeSpan.FromHours(1));
    }
}
