namespace PresignGateway.Forwarding;

/// <summary>How the transformer answers the store's status.</summary>
internal enum StoreAnswerKind
{
    /// <summary>The store's answer goes to the client, headers shaped and body streamed.</summary>
    Download,

    /// <summary>416, with the store's Content-Range.</summary>
    RangeNotSatisfiable,

    /// <summary>A problem answer with the given status and detail.</summary>
    Problem,

    /// <summary>A 4xx read further (see <see cref="Responses.StorageErrors"/>); the endpoint retries or answers it.</summary>
    Refusal,

    /// <summary>The store failed (5xx): a 502, logged.</summary>
    StoreFailed,

    /// <summary>A status the store should not send (1xx, 3xx, ...): a 502, logged.</summary>
    Unexpected,
}
