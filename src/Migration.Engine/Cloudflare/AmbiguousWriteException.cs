namespace Migration.Engine.Cloudflare;

/// <summary>
/// A write that is not safe to repeat was sent and its outcome is unknown: no answer (timeout,
/// connection reset) or an answer that does not say whether it committed (5xx, wrangler dev's
/// 503 "Your worker restarted mid-request"). The client does NOT retry it. The caller must find
/// out whether it took effect (e.g. read the batch's journal row back through a read) and only
/// then send it again, so that a batch is never applied twice.
/// </summary>
public sealed class AmbiguousWriteException(string operation, string requestId, int? httpStatus, string failure, Exception? inner)
    : CloudflareApiException(operation, httpStatus, [],
        $"The outcome of {operation} (request {requestId}) is unknown: {failure}. It may or may not have been applied; " +
        "it was not retried. Check whether it took effect before sending it again.", inner)
{
    /// <summary>The client's id for this request (one per call, the same across its attempts).</summary>
    public string RequestId { get; } = requestId;

    /// <summary>What happened: the status and text of the answer, or the network failure.</summary>
    public string Failure { get; } = failure;
}
