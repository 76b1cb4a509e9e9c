namespace Migration.Engine.Cloudflare;

/// <summary>
/// A request that was safe to repeat (a read, or a write marked idempotent) still failed after
/// every attempt (5xx, timeout, connection reset). Repeating it later is still safe.
/// </summary>
public sealed class CloudflareUnavailableException(string operation, int attempts, string lastFailure, Exception? inner)
    : CloudflareApiException(operation, null, [],
        $"The Cloudflare API did not complete {operation} after {attempts} attempt(s); last failure: {lastFailure}.", inner)
{
    public int Attempts { get; } = attempts;
}
