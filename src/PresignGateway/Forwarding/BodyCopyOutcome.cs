namespace PresignGateway.Forwarding;

/// <summary>How streaming a body from the store to the client ended.</summary>
internal enum BodyCopyOutcome
{
    Completed,

    /// <summary>The client disconnected or stopped reading.</summary>
    ClientGone,

    /// <summary>The store's connection failed or ended early: the client got fewer bytes than announced.</summary>
    StoreFailed,

    /// <summary>The store sent nothing for <c>Gateway:Upstream:ResponseHeadersTimeout</c>.</summary>
    StoreStalled,
}
