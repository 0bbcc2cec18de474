using System.Globalization;
using PresignGateway.Signing;

namespace PresignGateway.Cli;

/// <summary>The parsed command line of <c>presign</c>.</summary>
internal sealed record PresignArguments
{
    /// <summary>The help text; the providers and their credential variables come from <see cref="StoreProviders"/>.</summary>
    public static string Usage { get; } =
        $"""
        Usage: PresignGateway presign --provider {string.Join('|', StoreProviders.All.Select(p => p.CommandLineName))} --endpoint URL --region R --bucket B (--key K | --keys-from FILE|-)
                   [--addressing virtual-hosted|path|cname] [--expires SECONDS] [--method GET|HEAD]
                   [--at 2024-03-15T08:30:00Z] [--query name=value]...
        Credentials come from the provider's variables:
        {string.Join(Environment.NewLine, StoreProviders.All.Select(p => $"  {p.CommandLineName}: {p.CredentialVariables.AccessKeyId}, {p.CredentialVariables.AccessKeySecret}, {p.CredentialVariables.SecurityToken}"))}
        """;

    public required StoreProvider Provider { get; init; }

    public required string Endpoint { get; init; }

    public required string Region { get; init; }

    public required string Bucket { get; init; }

    public string? Key { get; init; }

    public string? KeysFrom { get; init; }

    public AddressingStyle Addressing { get; init; } = AddressingStyle.VirtualHosted;

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromSeconds(900);

    public PresignMethod Method { get; init; } = PresignMethod.Get;

    public DateTimeOffset? At { get; init; }

    public IReadOnlyList<QueryParameter> Query { get; init; } = [];

    /// <summary>Parses the arguments after <c>presign</c>; throws <see cref="CommandLineException"/> naming the problem.</summary>
    public static PresignArguments Parse(IReadOnlyList<string> args)
    {
        string? provider = null, endpoint = null, region = null, bucket = null, key = null, keysFrom = null;
        string? addressing = null, expires = null, method = null, at = null;
        var query = new List<QueryParameter>();

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new CommandLineException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--provider": provider = Once(provider, name, Value()); break;
                case "--endpoint": endpoint = Once(endpoint, name, Value()); break;
                case "--region": region = Once(region, name, Value()); break;
                case "--bucket": bucket = Once(bucket, name, Value()); break;
                case "--key": key = Once(key, name, Value()); break;
                case "--keys-from": keysFrom = Once(keysFrom, name, Value()); break;
                case "--addressing": addressing = Once(addressing, name, Value()); break;
                case "--expires": expires = Once(expires, name, Value()); break;
                case "--method": method = Once(method, name, Value()); break;
                case "--at": at = Once(at, name, Value()); break;
                case "--query": query.Add(ParseQuery(Value())); break;
                default: throw new CommandLineException($"Unknown argument '{arg}'. Run 'PresignGateway presign --help' for the options.");
            }
        }

        if (key is not null && keysFrom is not null)
        {
            throw new CommandLineException("Give either --key or --keys-from, not both.");
        }

        if (key is null && keysFrom is null)
        {
            throw new CommandLineException("--key (or --keys-from FILE) is required.");
        }

        return new PresignArguments
        {
            Provider = ParseProvider(Required(provider, "--provider")),
            Endpoint = Required(endpoint, "--endpoint"),
            Region = Required(region, "--region"),
            Bucket = Required(bucket, "--bucket"),
            Key = key,
            KeysFrom = keysFrom,
            Addressing = addressing is null ? AddressingStyle.VirtualHosted : ParseAddressing(addressing),
            Lifetime = expires is null ? TimeSpan.FromSeconds(900) : ParseExpires(expires),
            Method = method is null ? PresignMethod.Get : ParseMethod(method),
            At = at is null ? null : ParseInstant(at),
            Query = query,
        };
    }

    private static string Once(string? current, string name, string value)
        => current is null ? value : throw new CommandLineException($"{name} is given twice.");

    private static string Required(string? value, string name)
        => string.IsNullOrEmpty(value) ? throw new CommandLineException($"{name} is required.") : value;

    private static StoreProvider ParseProvider(string value)
        => StoreProviders.FindByCommandLineName(value) ?? throw new CommandLineException($"--provider must be one of {StoreProviders.CommandLineNames} (got '{value}').");

    private static AddressingStyle ParseAddressing(string value) => value.ToLowerInvariant() switch
    {
        "virtual-hosted" => AddressingStyle.VirtualHosted,
        "path" => AddressingStyle.Path,
        "cname" => AddressingStyle.CustomDomain,
        _ => throw new CommandLineException($"--addressing must be virtual-hosted, path or cname (got '{value}')."),
    };

    private static PresignMethod ParseMethod(string value) => value.ToUpperInvariant() switch
    {
        "GET" => PresignMethod.Get,
        "HEAD" => PresignMethod.Head,
        _ => throw new CommandLineException($"--method must be GET or HEAD (got '{value}')."),
    };

    private static TimeSpan ParseExpires(string value)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds <= int.MaxValue
            ? TimeSpan.FromSeconds(seconds)
            : throw new CommandLineException($"--expires must be a whole number of seconds (got '{value}').");

    private static DateTimeOffset ParseInstant(string value)
        => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset instant)
            ? instant
            : throw new CommandLineException($"--at must be an ISO-8601 instant such as 2024-03-15T08:30:00Z (got '{value}').");

    private static QueryParameter ParseQuery(string value)
    {
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals switch
        {
            0 => throw new CommandLineException($"--query needs name=value with a name (got '{value}')."),
            < 0 => new QueryParameter(value, ""),
            _ => new QueryParameter(value[..equals], value[(equals + 1)..]),
        };
    }
}
