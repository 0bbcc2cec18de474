using Microsoft.Extensions.Options;

using PresignGateway.Configuration;

namespace PresignGateway.Sites;

/// <summary>Validates the whole <c>Gateway</c> section at start-up by building the routing table, reporting every problem at once.</summary>
internal sealed class GatewayOptionsValidator(IConfiguration configuration) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        SiteTableBuilder.TryBuild(options, configuration, out IReadOnlyList<string> errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
