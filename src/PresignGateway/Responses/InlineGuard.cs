namespace PresignGateway.Responses;

/// <summary>
/// What the response shaping needs to keep inline content from running: nothing (the default) for an attachment.
/// </summary>
/// <param name="ActiveName">The key or the download name has an active extension.</param>
/// <param name="AttachmentFallback">Set when <c>?inline</c> made it inline: the attachment header to use instead if the store says the content is active.</param>
internal readonly record struct InlineGuard(bool Inline, bool ActiveName, string? AttachmentFallback);
