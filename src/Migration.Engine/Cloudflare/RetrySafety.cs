namespace Migration.Engine.Cloudflare;

/// <summary>
/// Whether a request may be sent again when its outcome is unknown (5xx, timeout, reset). Only
/// the caller knows what its SQL does, so each call says it; a failure that proves the request
/// was not executed (429, a refused connection) is retried whatever this says.
/// </summary>
public enum RetrySafety
{
    /// <summary>Reads nothing but reads (SELECT, list, get, a poll): repeated freely.</summary>
    Read,

    /// <summary>A write whose repetition changes nothing (CREATE TABLE IF NOT EXISTS, an upsert of the same values, an upload of the same bytes).</summary>
    IdempotentWrite,

    /// <summary>A write that must not be applied twice: an unknown outcome raises <see cref="AmbiguousWriteException"/>.</summary>
    Write,
}
