using System.Text;
using PresignGateway.Listing;

namespace PresignGateway.Tests.Listing;

/// <summary>Both dialects of ListObjectsV2, as OSS and S3 document them, with <c>encoding-type=url</c>; and the reader's bounds.</summary>
public sealed class ListBucketResultReaderTests
{
    private const string S3Document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>s3-bucket</Name><Prefix>site%2Freleases%2F</Prefix><KeyCount>4</KeyCount><MaxKeys>3</MaxKeys>
          <Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>
          <Contents><Key>site%2Freleases%2F</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>site%2Freleases%2Fa+b%2Bc.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>1536</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>site%2Freleases%2F%E2%80%AEtxt.exe%01</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"e"</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>other%2Fleak.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"x"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>
          <CommonPrefixes><Prefix>site%2Freleases%2F1.0%2F</Prefix></CommonPrefixes>
          <CommonPrefixes><Prefix>elsewhere%2F</Prefix></CommonPrefixes>
          <EncodingType>url</EncodingType>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
        </ListBucketResult>
        """;

    private const string OssDocument = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult>
          <Name>oss-bucket</Name><Prefix>docs%2F</Prefix><MaxKeys>100</MaxKeys><EncodingType>url</EncodingType><Delimiter>%2F</Delimiter>
          <IsTruncated>false</IsTruncated>
          <Contents><Key>docs%2F%E4%B8%AD%E6%96%87%20name.pdf</Key><LastModified>2026-05-06T07:08:09.000Z</LastModified><ETag>"5B3C1A2E053D763E1B002CC607C5A0FE1****"</ETag><Type>Normal</Type><Size>344606</Size><StorageClass>Standard</StorageClass></Contents>
          <CommonPrefixes><Prefix>docs%2F%3Cscript%3E%2F</Prefix></CommonPrefixes>
          <KeyCount>2</KeyCount>
        </ListBucketResult>
        """;

    [Fact]
    public async Task An_S3_page_decodes_names_drops_the_marker_and_keys_outside_the_prefix_and_keeps_the_token()
    {
        ListingPage page = await ReadAsync(S3Document, "site/releases/");

        Assert.Equal(
            [("1.0", true), ("a b+c.txt", false), ("\u202Etxt.exe\u0001", false)],
            page.Entries.Select(e => (e.Name, e.IsDirectory)));
        ListingEntry file = page.Entries[1];
        Assert.Equal(1536, file.Size);
        Assert.Equal("abc", file.ETag);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), file.LastModified);
        Assert.Equal("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", page.NextToken);
    }

    [Fact]
    public async Task An_OSS_page_without_namespace_reads_the_same_way()
    {
        ListingPage page = await ReadAsync(OssDocument, "docs/");

        Assert.Equal([("<script>", true), ("中文 name.pdf", false)], page.Entries.Select(e => (e.Name, e.IsDirectory)));
        Assert.Equal("5B3C1A2E053D763E1B002CC607C5A0FE1****", page.Entries[1].ETag);
        Assert.Null(page.NextToken);
    }

    [Fact]
    public async Task Without_EncodingType_names_are_taken_as_they_are()
    {
        ListingPage page = await ReadAsync(OssDocument.Replace("<EncodingType>url</EncodingType>", "", StringComparison.Ordinal).Replace("docs%2F", "docs/", StringComparison.Ordinal), "docs/");

        Assert.Contains(page.Entries, e => e.Name == "%E4%B8%AD%E6%96%87%20name.pdf");
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ListBucketResult><Contents><Key>&e;</Key></Contents></ListBucketResult>")]
    [InlineData("<Error><Code>AccessDenied</Code></Error>")]
    [InlineData("<ListBucketResult><Contents>")]
    [InlineData("not xml")]
    public async Task A_document_with_a_DTD_or_that_is_not_a_listing_is_refused(string document)
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(document, ""));
    }

    [Fact]
    public async Task A_listing_larger_than_the_bound_is_refused_while_streaming()
    {
        var document = new StringBuilder("<ListBucketResult>");
        while (document.Length <= ListBucketResultReader.MaxBytes)
        {
            document.Append("<Contents><Key>").Append('k', 1000).Append("</Key><Size>1</Size></Contents>");
        }

        document.Append("</ListBucketResult>");
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(document.ToString(), ""));
    }

    private static async Task<ListingPage> ReadAsync(string document, string prefix)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(document));
        return await ListBucketResultReader.ReadAsync(body, prefix, TestContext.Current.CancellationToken);
    }
}
