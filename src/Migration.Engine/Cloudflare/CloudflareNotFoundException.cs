namespace Migration.Engine.Cloudflare;

/// <summary>A database, KV namespace or key does not exist (HTTP 404; codes 7404, 10013, 10009).</summary>
public sealed class CloudflareNotFoundException(string operation, int? httpStatus, IReadOnlyList<CloudflareError> errors, string? message = null)
    : CloudflareApiException(operation, httpStatus, errors, message);
