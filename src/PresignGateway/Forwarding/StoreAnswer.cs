namespace PresignGateway.Forwarding;

/// <summary>What the client gets for the store's status (see <see cref="DownloadStatus.ForStore"/>).</summary>
/// <param name="Kind">How the transformer answers.</param>
/// <param name="ClientStatus">The client's status; 0 for a refusal, decided once its error body is read.</param>
/// <param name="Detail">The problem detail, for the kinds that answer with one.</param>
internal readonly record struct StoreAnswer(StoreAnswerKind Kind, int ClientStatus, string? Detail);
