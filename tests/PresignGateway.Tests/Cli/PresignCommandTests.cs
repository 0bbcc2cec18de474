using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

using PresignGateway.Signing.Tests;

namespace PresignGateway.Tests.Cli;

/// <summary>The <c>presign</c> command, run in-process: output contract, batch mode, errors, and every golden vector.</summary>
public sealed class PresignCommandTests
{
    private static readonly Dictionary<string, string> OssEnvironment = new()
    {
        ["OSS_ACCESS_KEY_ID"] = "test-access-key-id",
        ["OSS_ACCESS_KEY_SECRET"] = "TestSecret/abc+123=xyz",
    };

    public static TheoryData<string, string, string> VectorCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach ((string directory, string file) in VectorFiles())
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, directory, file + ".json")));
            foreach (JsonElement vectorCase in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                data.Add(directory, file, vectorCase.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Vector_is_reproduced_by_the_command(string directory, string provider, string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, directory, provider + ".json")));
        JsonElement vectorCase = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        JsonElement input = vectorCase.GetProperty("input");
        var args = new List<string>
        {
            "--provider", provider,
            "--endpoint", input.GetProperty("endpoint").GetString()!,
            "--region", input.GetProperty("region").GetString()!,
            "--bucket", input.GetProperty("bucket").GetString()!,
            "--key", input.GetProperty("key").GetString()!,
            "--addressing", input.GetProperty("addressingStyle").GetString()!,
            "--expires", input.GetProperty("expiresSeconds").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--at", input.GetProperty("signTime").GetString()!,
        };
        if (vectorCase.TryGetProperty("method", out JsonElement method))
        {
            args.AddRange(["--method", method.GetString()!]);
        }

        if (input.TryGetProperty("query", out JsonElement query))
        {
            foreach (JsonProperty parameter in query.EnumerateObject())
            {
                args.AddRange(["--query", parameter.Name + "=" + parameter.Value.GetString()]);
            }
        }

        bool s3 = provider == "s3-v4";
        var environment = new Dictionary<string, string>
        {
            [s3 ? "AWS_ACCESS_KEY_ID" : "OSS_ACCESS_KEY_ID"] = input.GetProperty("accessKeyId").GetString()!,
            [s3 ? "AWS_SECRET_ACCESS_KEY" : "OSS_ACCESS_KEY_SECRET"] = input.GetProperty("accessKeySecret").GetString()!,
        };
        if (input.TryGetProperty("securityToken", out JsonElement token) && token.ValueKind == JsonValueKind.String)
        {
            environment[s3 ? "AWS_SESSION_TOKEN" : "OSS_SESSION_TOKEN"] = token.GetString()!;
        }

        (int exitCode, string stdout, string stderr) = Run(args, environment);

        Assert.Equal("", stderr);
        Assert.Equal(0, exitCode);
        Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
        string url = stdout.TrimEnd('\n');
        Assert.DoesNotContain('\n', url);
        JsonElement expected = vectorCase.GetProperty("expected");
        string signatureName = provider switch { "oss-v4" => "x-oss-signature", "oss-v1" => "Signature", _ => "X-Amz-Signature" };
        Assert.Equal(expected.GetProperty("signature").GetString(), UrlComparison.QueryValue(url, signatureName));
        UrlComparison.AssertEquivalent(expected.GetProperty("url").GetString()!, url);
    }

    [Fact]
    public void Prints_the_url_alone_and_exits_zero()
    {
        (int exitCode, string stdout, string stderr) = Run(
            ["--provider", "oss-v4", "--endpoint", "http://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "test.txt", "--expires", "3600", "--at", "2024-03-15T08:30:00Z"],
            OssEnvironment);

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.Equal(
            "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/test.txt?x-oss-credential=test-access-key-id%2F20240315%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20240315T083000Z&x-oss-expires=3600&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=2c82d826bc0d758137866cc49350ef30fe0dcecdf1b3bda1c4ce3997adab4419\n",
            stdout);
    }

    [Fact]
    public void Defaults_are_900_seconds_get_virtual_hosted_and_now()
    {
        var now = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        (int exitCode, string stdout, _) = Run(
            ["--provider", "oss-v4", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "a.txt"],
            OssEnvironment, time: now);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt?", stdout, StringComparison.Ordinal);
        Assert.Contains("x-oss-expires=900&", stdout, StringComparison.Ordinal);
        Assert.Contains("x-oss-date=20250102T030405Z&", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_prints_one_url_per_key_in_order()
    {
        string[] keys = ["b.txt", "a b.txt", "报告.pdf", " spaced "];
        (int exitCode, string stdout, string stderr) = Run(
            ["--provider", "s3-v4", "--endpoint", "http://127.0.0.1:9000", "--region", "us-east-1", "--bucket", "examplebucket", "--addressing", "path", "--keys-from", "-", "--at", "2024-03-15T08:30:00Z"],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = "secret" },
            stdin: string.Join("\r\n", keys) + "\r\n");

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(keys.Length, lines.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal("/examplebucket/" + keys[i], Uri.UnescapeDataString(UrlComparison.Split(lines[i]).Path));
        }
    }

    [Fact]
    public void Batch_reads_a_file()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "one.txt\ntwo.txt\n");
            (int exitCode, string stdout, _) = Run(
                ["--provider", "oss-v1", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--keys-from", file],
                OssEnvironment);

            Assert.Equal(0, exitCode);
            Assert.Equal(2, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bad_key_in_a_batch_prints_nothing_and_names_the_line()
    {
        (int exitCode, string stdout, string stderr) = Run(
            ["--provider", "oss-v4", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--keys-from", "-"],
            OssEnvironment, stdin: "good.txt\n\nalso-good.txt\n");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal("presign: line 2 of stdin: The object key is empty.\n", stderr);
    }

    public static TheoryData<string[], string> BadInvocations() => new()
    {
        { ["--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k"], "--provider is required." },
        { ["--provider", "gcs", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k"], "--provider must be one of oss-v4, oss-v1, s3-v4" },
        { ["--provider", "oss-v4", "--region", "r", "--bucket", "bucket", "--key", "k"], "--endpoint is required." },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket"], "--key (or --keys-from FILE) is required." },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--expires", "soon"], "--expires must be a whole number of seconds" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--expires", "604801"], "lifetime must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--method", "PUT"], "--method must be GET or HEAD" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--at", "yesterday"], "--at must be an ISO-8601 instant" },
        { ["--provider", "oss-v4", "--endpoint", "e.com", "--region", "r", "--bucket", "bucket", "--key", "k"], "The endpoint must be an absolute http or https URL" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "B", "--key", "k"], "A bucket name has 3 to 63 characters" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--query", "x-oss-signature=1"], "written by the signer itself" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "k", "--bogus"], "Unknown argument '--bogus'" },
        { ["--provider", "oss-v4", "--endpoint", "https://e.com", "--region", "r", "--bucket", "bucket", "--key", "a\nb"], "control character U+000A" },
    };

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public void Bad_input_is_one_line_on_stderr_with_exit_code_2(string[] args, string expectedMessage)
    {
        (int exitCode, string stdout, string stderr) = Run(args, OssEnvironment);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("presign: ", stderr, StringComparison.Ordinal);
        Assert.Contains(expectedMessage, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain(OssEnvironment["OSS_ACCESS_KEY_SECRET"], stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_credentials_name_the_variables()
    {
        (int exitCode, string stdout, string stderr) = Run(
            ["--provider", "s3-v4", "--endpoint", "https://s3.amazonaws.com", "--region", "us-east-1", "--bucket", "bucket", "--key", "k"],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE" });

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("AWS_SECRET_ACCESS_KEY is not set", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_token_from_the_environment_is_signed_in()
    {
        var environment = new Dictionary<string, string>(OssEnvironment) { ["OSS_SESSION_TOKEN"] = "CAIS+token/==" };

        (int exitCode, string stdout, _) = Run(
            ["--provider", "oss-v4", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "a.txt"],
            environment);

        Assert.Equal(0, exitCode);
        Assert.Contains("x-oss-security-token=CAIS%2Btoken%2F%3D%3D", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_prints_usage()
    {
        (int exitCode, string stdout, _) = Run(["--help"], OssEnvironment);

        Assert.Equal(0, exitCode);
        Assert.Contains("--provider oss-v4|oss-v1|s3-v4", stdout, StringComparison.Ordinal);
    }

    internal static IEnumerable<(string Directory, string File)> VectorFiles()
    {
        foreach (string directory in new[] { "Vectors", "VectorsExtra" })
        {
            foreach (string file in new[] { "oss-v4", "oss-v1", "s3-v4" })
            {
                if (File.Exists(Path.Combine(AppContext.BaseDirectory, directory, file + ".json")))
                {
                    yield return (directory, file);
                }
            }
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string stdin = "", TimeProvider? time = null)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        int exitCode = PresignGateway.Cli.PresignCommand.Run(args, input, stdout, stderr, name => environment.GetValueOrDefault(name), time ?? TimeProvider.System);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
