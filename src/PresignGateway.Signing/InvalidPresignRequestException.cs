namespace PresignGateway.Signing;

/// <summary>
/// Thrown when a presign input cannot produce a valid URL. The message names the input and the rule;
/// it never quotes a secret, a token or a signature.
/// </summary>
public sealed class InvalidPresignRequestException : ArgumentException
{
    public InvalidPresignRequestException(string reason, string parameterName)
        : base(reason, parameterName)
    {
        Reason = reason;
    }

    public InvalidPresignRequestException(string reason)
        : base(reason)
    {
        Reason = reason;
    }

    /// <summary>The rule that was broken, without the parameter suffix that <see cref="ArgumentException.Message"/> adds.</summary>
    public string Reason { get; }
}
