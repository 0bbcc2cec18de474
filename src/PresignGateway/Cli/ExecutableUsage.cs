using System.Reflection;

namespace PresignGateway.Cli;

/// <summary><c>PresignGateway --help</c> and <c>--version</c>: what the one executable does, without starting a server.</summary>
internal static class ExecutableUsage
{
    public const string Text =
        """
        PresignGateway: stable download links for private object storage (Alibaba Cloud OSS, S3 and S3-compatible).

        Usage:
          PresignGateway [--config FILE] [--urls URLS] [--Section:Setting=value ...]
              Runs the gateway. Settings come from the built-in appsettings.json, then FILE (or GATEWAY_CONFIG), then
              environment variables (Gateway__Sites__docs__Hosts__0=...), then the command line; FILE is watched and
              reloaded. --urls (or ASPNETCORE_URLS) sets the listen addresses, such as http://+:8080.
              Every setting is in README.md ("Configuration"). An invalid configuration stops start-up with exit
              code 1 and one message naming each bad setting.
          PresignGateway presign --provider oss-v4|oss-v1|s3-v4 --endpoint URL --region REGION --bucket BUCKET
                                 (--key KEY | --keys-from FILE|-) [--expires SECONDS] ...
              Prints presigned URLs, one per line; keys from OSS_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID and friends.
              'PresignGateway presign --help' lists every option.
          PresignGateway sign-link --url URL [--expires-in SECONDS] [--at INSTANT]
              Prints an expiring link for a site with Protection:SignedLinks; the secret comes from
              GATEWAY_LINK_SECRET. 'PresignGateway sign-link --help' says more.
          PresignGateway --help | -h      This text.
          PresignGateway --version        The version.

        Exit codes: 0 success; 1 invalid configuration (server); 2 bad arguments (presign, sign-link).
        """;

    public static bool IsHelp(string[] args) => args is ["--help"] or ["-h"] or ["-?"] or ["help"];

    public static bool IsVersion(string[] args) => args is ["--version"];

    public static string Version
        => typeof(ExecutableUsage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
           ?? typeof(ExecutableUsage).Assembly.GetName().Version?.ToString()
           ?? "unknown";
}
