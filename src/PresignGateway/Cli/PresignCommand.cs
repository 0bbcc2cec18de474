using PresignGateway.Signing;

namespace PresignGateway.Cli;

/// <summary>
/// <c>PresignGateway presign ...</c>: prints presigned URLs, like <c>ossutil presign</c>. Only URLs go to stdout, one
/// per line; any problem is one line on stderr with exit code 2 and nothing on stdout, so scripts can trust the output.
/// </summary>
internal static class PresignCommand
{
    public const int Success = 0;
    public const int UsageError = 2;

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, TimeProvider time)
    {
        if (args is ["--help"] or ["-h"])
        {
            stdout.WriteLine(PresignArguments.Usage);
            return Success;
        }

        try
        {
            PresignArguments options = PresignArguments.Parse(args);
            Credentials credentials = ReadCredentials(options.Provider, environment);
            BucketLocation location = BucketLocation.Create(options.Endpoint, options.Region, options.Bucket, options.Addressing);
            IUrlPresigner presigner = options.Provider.CreatePresigner();
            DateTimeOffset signingTime = options.At ?? time.GetUtcNow();

            // Sign everything before writing anything: a bad key on line 900 must not leave 899 URLs on stdout.
            var urls = new List<string>();
            if (options.Key is not null)
            {
                urls.Add(Sign(presigner, location, options, options.Key, credentials, signingTime));
            }
            else
            {
                using TextReader keys = options.KeysFrom == "-" ? stdin : OpenKeyFile(options.KeysFrom!);
                int lineNumber = 0;
                while (keys.ReadLine() is { } line)
                {
                    lineNumber++;
                    try
                    {
                        urls.Add(Sign(presigner, location, options, line, credentials, signingTime));
                    }
                    catch (InvalidPresignRequestException e)
                    {
                        throw new CommandLineException($"line {lineNumber} of {(options.KeysFrom == "-" ? "stdin" : options.KeysFrom)}: {e.Reason}");
                    }
                }
            }

            foreach (string url in urls)
            {
                stdout.Write(url);
                stdout.Write('\n');
            }

            stdout.Flush();
            return Success;
        }
        catch (CommandLineException e)
        {
            return Fail(stderr, e.Message);
        }
        catch (InvalidPresignRequestException e)
        {
            return Fail(stderr, e.Reason);
        }
    }

    private static string Sign(IUrlPresigner presigner, BucketLocation location, PresignArguments options, string key, Credentials credentials, DateTimeOffset signingTime)
        => presigner.Presign(location, new PresignRequest(options.Method, key, options.Lifetime, options.Query), credentials, signingTime).Url;

    private static StreamReader OpenKeyFile(string path)
    {
        try
        {
            return new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandLineException($"--keys-from: can't read '{path}': {e.Message}");
        }
    }

    /// <summary>The variable names the provider's official SDKs read.</summary>
    private static Credentials ReadCredentials(StoreProvider provider, Func<string, string?> environment)
    {
        (string idName, string secretName, string tokenName) = provider.CredentialVariables;
        string? id = environment(idName);
        string? secret = environment(secretName);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            throw new CommandLineException($"{(string.IsNullOrEmpty(id) ? idName : secretName)} is not set: set {idName} and {secretName} (and {tokenName} for STS credentials).");
        }

        try
        {
            return new Credentials(id, secret, environment(tokenName));
        }
        catch (InvalidPresignRequestException e)
        {
            throw new CommandLineException($"{idName}/{secretName}/{tokenName}: {e.Reason}");
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        // One line, whatever the message holds: a key with a line break must not split the error.
        stderr.WriteLine("presign: " + message.ReplaceLineEndings(" "));
        return UsageError;
    }
}
