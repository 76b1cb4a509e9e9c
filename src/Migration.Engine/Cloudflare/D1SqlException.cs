namespace Migration.Engine.Cloudflare;

/// <summary>
/// D1 refused the SQL (HTTP 400, code 7500: a constraint, a syntax error, SQLITE_TOOBIG...). The
/// request was one transaction, so nothing of it was applied.
/// </summary>
public sealed class D1SqlException(string operation, int? httpStatus, IReadOnlyList<CloudflareError> errors)
    : CloudflareApiException(operation, httpStatus, errors,
        $"D1 refused the SQL of {operation}; nothing of the request was applied: {string.Join("; ", errors)}.");
