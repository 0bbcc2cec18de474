using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// A set of keys as the stores hand it out: its identity tells rotated keys apart (a new token with the same key id
/// is another identity) without holding the token, and nothing of it shows a secret.
/// </summary>
public sealed class StoreCredentialsTests
{
    private const string Secret = "SuperSecretValue/abc+123=xyz";

    [Fact]
    public void Long_term_keys_are_identified_by_their_key_id()
    {
        var credentials = new StoreCredentials(new Credentials("fake-key-id-0001", Secret));

        Assert.Equal("fake-key-id-0001", credentials.Identity);
    }

    [Fact]
    public void A_new_token_with_the_same_key_id_is_another_identity_and_the_token_is_not_in_it()
    {
        var first = new StoreCredentials(new Credentials("STS.KEYID0001", Secret, "CAIS+FirstToken/=="));
        var second = new StoreCredentials(new Credentials("STS.KEYID0001", Secret, "CAIS+SecondToken/=="));
        var again = new StoreCredentials(new Credentials("STS.KEYID0001", Secret, "CAIS+FirstToken/=="));

        Assert.StartsWith("STS.KEYID0001:", first.Identity, StringComparison.Ordinal);
        Assert.NotEqual(first.Identity, second.Identity);
        Assert.Equal(first.Identity, again.Identity);
        Assert.DoesNotContain("Token", first.Identity, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shared_value_key_follows_the_secret_and_nothing_shows_it()
    {
        var first = new StoreCredentials(new Credentials("KEYID0001", Secret, "CAIS+Token/=="));
        var sameSecret = new StoreCredentials(new Credentials("KEYID0002", Secret));
        var otherSecret = new StoreCredentials(new Credentials("KEYID0001", "AnotherSecret/xyz"));
        var source = new StaticCredentialSource(first.Credentials, "static keys in Gateway:Stores:main");

        Assert.Equal(first.SharedValueKey, sameSecret.SharedValueKey);
        Assert.NotEqual(first.SharedValueKey, otherSecret.SharedValueKey);
        foreach (string text in new[] { first.ToString(), source.Description, source.Current.ToString() })
        {
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("CAIS+Token", text, StringComparison.Ordinal);
        }
    }
}
