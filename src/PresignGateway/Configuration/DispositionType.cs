namespace PresignGateway.Configuration;

internal enum DispositionType
{
    Attachment,
    Inline,
}
