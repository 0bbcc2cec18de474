using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// An access key pair with an optional STS security token. <see cref="ToString"/> never shows the secret or the token,
/// so a credentials object that reaches a log line or an exception message leaks nothing.
/// </summary>
public sealed class Credentials
{
    public Credentials(string accessKeyId, string accessKeySecret, string? securityToken = null)
    {
        RequireCredentialText(accessKeyId, nameof(accessKeyId), "access key id");
        RequireCredentialText(accessKeySecret, nameof(accessKeySecret), "access key secret");
        if (securityToken is { Length: 0 })
        {
            securityToken = null;
        }

        if (securityToken is not null)
        {
            RequireCredentialText(securityToken, nameof(securityToken), "security token");
        }

        AccessKeyId = accessKeyId;
        AccessKeySecret = accessKeySecret;
        SecurityToken = securityToken;
        SecretUtf8 = Encoding.UTF8.GetBytes(accessKeySecret);
    }

    public string AccessKeyId { get; }

    public string AccessKeySecret { get; }

    /// <summary>The STS token of temporary credentials, or null for long-term keys.</summary>
    public string? SecurityToken { get; }

    /// <summary>The secret as UTF-8, encoded once so that signing does not transcode it per URL.</summary>
    internal byte[] SecretUtf8 { get; }

    public override string ToString()
        => $"Credentials {{ AccessKeyId = {MaskKeyId(AccessKeyId)}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "none" : "***")} }}";

    private static string MaskKeyId(string id) => id.Length <= 8 ? "***" : string.Concat(id.AsSpan(0, 4), "***", id.AsSpan(id.Length - 4));

    private static void RequireCredentialText(string value, string parameterName, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidPresignRequestException($"The {what} is empty.", parameterName);
        }

        foreach (char c in value)
        {
            if (c <= ' ' || c >= '\u007f')
            {
                throw new InvalidPresignRequestException(
                    $"The {what} contains a space, a control character or a non-ASCII character; copy it again without surrounding white space.",
                    parameterName);
            }
        }
    }
}
