using PresignGateway.Listing;
using PresignGateway.Stores;

namespace PresignGateway.Tests.Listing;

/// <summary>A cursor carries the store's token, and only for the site, directory and keys it was made for.</summary>
public sealed class ListingCursorTests
{
    private const string Token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=";

    [Fact]
    public void A_cursor_gives_back_its_token_for_its_own_directory_only()
    {
        Store store = ListingTestStores.Create();
        string cursor = ListingCursor.Encode(store, "site", "releases/", Token)!;

        Assert.True(ListingCursor.TryDecode(store, "site", "releases/", cursor, out string token));
        Assert.Equal(Token, token);
        Assert.DoesNotContain(Token, cursor, StringComparison.Ordinal);
        Assert.False(ListingCursor.TryDecode(store, "site", "private/", cursor, out _));
        Assert.False(ListingCursor.TryDecode(store, "other-site", "releases/", cursor, out _));
        Assert.False(ListingCursor.TryDecode(ListingTestStores.Create("fake-listing-secret-0002"), "site", "releases/", cursor, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc")]
    [InlineData("YWJj.")]
    [InlineData("YWJj.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("YW Jj.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("YWJj.AAAAAAAAAAAAAAAAAAAAAA.x")]
    [InlineData("<script>.AAAAAAAAAAAAAAAAAAAAAA")]
    public void A_made_up_or_malformed_cursor_is_refused(string cursor)
    {
        Assert.False(ListingCursor.TryDecode(ListingTestStores.Create(), "site", "releases/", cursor, out _));
    }

    [Fact]
    public void A_changed_token_or_an_overlong_cursor_is_refused()
    {
        Store store = ListingTestStores.Create();
        string cursor = ListingCursor.Encode(store, "site", "", Token)!;
        string forged = ListingCursor.Encode(store, "site", "", "forged")!;
        string swapped = forged[..forged.IndexOf('.', StringComparison.Ordinal)] + cursor[cursor.IndexOf('.', StringComparison.Ordinal)..];

        Assert.False(ListingCursor.TryDecode(store, "site", "", swapped, out _));
        Assert.False(ListingCursor.TryDecode(store, "site", "", new string('A', ListingCursor.MaxLength + 1) + ".AAAAAAAAAAAAAAAAAAAAAA", out _));
        Assert.Null(ListingCursor.Encode(store, "site", "", new string('t', ListingCursor.MaxTokenBytes + 1)));
    }
}
