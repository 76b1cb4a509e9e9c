namespace Migration.Engine.Cloudflare;

/// <summary>
/// The API refused a request with an answer (a v4 envelope with <c>success: false</c>, or an
/// HTTP error). The refusal is definite: the request did not take effect. The message names the
/// operation, the HTTP status and Cloudflare's codes; it never holds the token (server text is
/// redacted before it is used).
/// </summary>
public class CloudflareApiException : Exception
{
    public CloudflareApiException(string operation, int? httpStatus, IReadOnlyList<CloudflareError> errors, string? message = null, Exception? inner = null)
        : base(message ?? Describe(operation, httpStatus, errors), inner)
    {
        Operation = operation;
        HttpStatus = httpStatus;
        Errors = errors;
    }

    /// <summary>What was asked, e.g. <c>POST d1/database/…/query</c>.</summary>
    public string Operation { get; }

    public int? HttpStatus { get; }

    public IReadOnlyList<CloudflareError> Errors { get; }

    /// <summary>The first error's code (what wrangler shows), or null.</summary>
    public int? Code => Errors.Count > 0 ? Errors[0].Code : null;

    static string Describe(string operation, int? status, IReadOnlyList<CloudflareError> errors)
    {
        var what = errors.Count == 0 ? "no error details" : string.Join("; ", errors);
        return $"A request to the Cloudflare API ({operation}) failed{(status is { } s ? $" with HTTP {s}" : "")}: {what}.";
    }
}
