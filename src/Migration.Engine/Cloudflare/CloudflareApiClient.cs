using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// The HTTP side of Cloudflare's <c>/client/v4</c> API shared by the D1 and KV clients: bearer
/// token, v4 envelope, typed errors, a timeout on every exchange, the client-side rate limiter,
/// and retries only where they are provably safe:
/// <list type="bullet">
/// <item>a 429 (not executed) waits for <c>retry-after</c> and is retried, for any request;</item>
/// <item>a connection that could not be opened (nothing sent) is retried, for any request;</item>
/// <item>an unknown outcome (5xx, 408, no or unreadable answer, timeout, reset) is retried for a
/// <see cref="RetrySafety.Read"/> or <see cref="RetrySafety.IdempotentWrite"/> and raises
/// <see cref="AmbiguousWriteException"/> for a <see cref="RetrySafety.Write"/>;</item>
/// <item>a definite refusal (4xx with an envelope) raises a typed <see cref="CloudflareApiException"/> at once.</item>
/// </list>
/// </summary>
public sealed class CloudflareApiClient : IDisposable
{
    readonly HttpClient _http;
    readonly TimeProvider _time;

    /// <param name="handler">The HTTP handler (default: a pooled <see cref="SocketsHttpHandler"/>); the client owns it.</param>
    public CloudflareApiClient(CloudflareSettings settings, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(settings), "RequestTimeout must be positive.");
        if (settings.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(settings), "MaxAttempts must be at least 1.");
        if (string.IsNullOrWhiteSpace(settings.AccountId)) throw new CloudflareConfigurationException("The Cloudflare account id is empty.");
        Settings = settings;
        _time = time ?? TimeProvider.System;
        RateLimiter = new CloudflareRateLimiter(settings.RequestsPerWindow, settings.RateWindow, settings.Burst, _time);
        // Timeouts are per exchange (linked token below), not HttpClient's global one.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var root = settings.ApiBaseUri.AbsoluteUri;
        ApiRoot = new Uri(root.EndsWith('/') ? root : root + "/");
    }

    public CloudflareSettings Settings { get; }

    /// <summary>Shared by every request of this client, D1 and KV alike.</summary>
    public CloudflareRateLimiter RateLimiter { get; }

    /// <summary>The base URL with a trailing slash.</summary>
    internal Uri ApiRoot { get; }

    /// <summary><c>accounts/{id}/</c>, escaped.</summary>
    internal string AccountRoute => "accounts/" + Uri.EscapeDataString(Settings.AccountId) + "/";

    /// <summary>The D1 operations on one database (by UUID; see <see cref="ResolveD1DatabaseAsync"/> for names).</summary>
    public D1DatabaseClient D1(string databaseId) => new(this, databaseId);

    /// <summary>The KV operations on one namespace (by id).</summary>
    public KvNamespaceClient Kv(string namespaceId) => new(this, namespaceId);

    /// <summary>Every D1 database of the account (optionally only those named <paramref name="name"/>), all pages.</summary>
    public Task<IReadOnlyList<D1DatabaseInfo>> ListD1DatabasesAsync(string? name = null, CancellationToken cancellationToken = default) =>
        D1DatabaseLookup.ListAsync(this, name, cancellationToken);

    /// <summary>
    /// A database by UUID or name, as wrangler resolves it: a UUID is looked up directly; a name is
    /// searched in the account's list (exact, case-sensitive). Unknown: <see cref="CloudflareNotFoundException"/>.
    /// </summary>
    public Task<D1DatabaseInfo> ResolveD1DatabaseAsync(string nameOrId, CancellationToken cancellationToken = default) =>
        D1DatabaseLookup.ResolveAsync(this, nameOrId, cancellationToken);

    /// <summary>The database a wrangler config binding names: its <c>database_id</c> when given (no lookup, as wrangler), else its <c>database_name</c> resolved.</summary>
    public async Task<D1DatabaseClient> D1Async(WranglerD1Binding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (!string.IsNullOrEmpty(binding.DatabaseId)) return D1(binding.DatabaseId);
        var info = await ResolveD1DatabaseAsync(binding.DatabaseName
            ?? throw new CloudflareConfigurationException($"The D1 binding '{binding.Binding}' has neither database_id nor database_name."), cancellationToken).ConfigureAwait(false);
        return D1(info.Uuid);
    }

    /// <summary>The account's KV namespaces, all pages.</summary>
    public async Task<IReadOnlyList<KvNamespaceInfo>> ListKvNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<KvNamespaceInfo>();
        for (var page = 1; ; page++)
        {
            var envelope = await SendEnvelopeAsync(HttpMethod.Get, $"storage/kv/namespaces?per_page=100&page={page}", null, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
            var count = 0;
            foreach (var n in envelope.Result.EnumerateArray())
            {
                all.Add(new KvNamespaceInfo(n.GetProperty("id").GetString()!, n.TryGetProperty("title", out var t) ? t.GetString() ?? "" : ""));
                count++;
            }
            var total = envelope.ResultInfo is { } info && info.TryGetProperty("total_count", out var tc) && tc.TryGetInt32(out var n2) ? n2 : -1;
            if (count == 0 || (total >= 0 && all.Count >= total) || (total < 0 && count < 100)) return all;
        }
    }

    /// <summary>An account route (<paramref name="route"/> after <c>accounts/{id}/</c>) answered with a v4 envelope.</summary>
    internal async Task<CloudflareEnvelope> SendEnvelopeAsync(HttpMethod method, string route, byte[]? jsonBody, RetrySafety safety, CancellationToken cancellationToken)
    {
        var request = new CloudflareRequest(method, new Uri(ApiRoot, AccountRoute + route), OperationName(method, route), safety, jsonBody, jsonBody is null ? null : "application/json");
        var response = await SendAsync(request, IsEnvelopeSuccess, cancellationToken).ConfigureAwait(false);
        return CloudflareEnvelope.TryParse(response.Body, Settings.ApiToken)!;
    }

    /// <summary>An account route whose success is a raw body (a KV value); failures are envelopes.</summary>
    internal Task<CloudflareResponse> SendRawAsync(HttpMethod method, string route, RetrySafety safety, CancellationToken cancellationToken) =>
        SendAsync(new CloudflareRequest(method, new Uri(ApiRoot, AccountRoute + route), OperationName(method, route), safety), r => r.IsSuccessStatus, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> until it succeeds (<paramref name="isSuccess"/>) or fails in
    /// a way that must not or need not be retried; see the class summary for which is which.
    /// </summary>
    internal async Task<CloudflareResponse> SendAsync(CloudflareRequest request, Func<CloudflareResponse, bool> isSuccess, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var token = Settings.ApiToken;
        string lastFailure = "";
        Exception? lastException = null;
        for (var attempt = 1; ; attempt++)
        {
            await RateLimiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            var started = _time.GetTimestamp();
            CloudflareResponse? response = null;
            var notSent = false;
            try
            {
                response = await ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"no answer within the timeout of {Settings.RequestTimeout.TotalSeconds:0.###} s";
                lastException = e;
            }
            catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                  && e.StatusCode is null && !IsResetAfterConnect(e))
            {
                // The connection was never opened: nothing was sent, any request may go again.
                notSent = true;
                lastFailure = "could not connect: " + token.Redact(e.Message);
                lastException = e;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                lastFailure = "the connection failed before the answer arrived: " + token.Redact(Innermost(e).Message);
                lastException = e;
            }
            Report(request, attempt, response, started, lastFailure);

            if (response is not null)
            {
                if (isSuccess(response)) return response;
                lastException = null;
                var envelope = CloudflareEnvelope.TryParse(response.Body, token);
                var errors = envelope?.Errors ?? [];
                if (response.Status == 429)
                {
                    var retryAfter = RetryAfter(response);
                    RateLimiter.Pause(retryAfter ?? Backoff(attempt));
                    if (attempt >= Settings.MaxAttempts || retryAfter > Settings.MaxRetryAfter)
                        throw new CloudflareRateLimitException(request.Operation, errors, retryAfter);
                    continue; // the limiter holds the next attempt back until retry-after has passed
                }
                if (!IsUnknownOutcome(response, envelope))
                    throw Refusal(request.Operation, response.Status, errors);
                lastFailure = $"HTTP {response.Status}: {Excerpt(response, envelope, token)}";
            }

            if (!notSent && request.Safety == RetrySafety.Write)
                throw new AmbiguousWriteException(request.Operation, requestId, response?.Status, lastFailure, lastException);
            if (attempt >= Settings.MaxAttempts)
                throw new CloudflareUnavailableException(request.Operation, attempt, lastFailure, lastException);
            await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<CloudflareResponse> ExchangeAsync(CloudflareRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.RequestTimeout);
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        if (request.Authenticated)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Settings.ApiToken.BearerHeaderValue);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }
        else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put)
        {
            // An empty body, not none: SocketsHttpHandler may silently resend a request without
            // content on a new connection; once content is being sent it never does.
            message.Content = new ByteArrayContent([]);
        }
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        return new CloudflareResponse((int)response.StatusCode, response.Headers, response.Content.Headers, body);
    }

    static bool IsEnvelopeSuccess(CloudflareResponse response)
    {
        // wrangler: success:true is success whatever the status; a 2xx without an envelope is not.
        var body = response.Body.AsSpan();
        return body.IndexOf("\"success\""u8) >= 0 && CloudflareEnvelope.TryParse(body, DummyToken) is { Success: true };
    }

    // Parsing for the success test only; errors are parsed again with the real token for redaction.
    static readonly CloudflareApiToken DummyToken = CloudflareApiToken.FromString("-");

    /// <summary>
    /// True when the answer does not prove the request was refused before taking effect: a server
    /// error, a gateway or proxy answer without Cloudflare's envelope, a 2xx we could not read.
    /// </summary>
    static bool IsUnknownOutcome(CloudflareResponse response, CloudflareEnvelope? envelope) =>
        response.Status >= 500 || response.Status == 408 || envelope is null;

    static CloudflareApiException Refusal(string operation, int status, IReadOnlyList<CloudflareError> errors)
    {
        var code = errors.Count > 0 ? errors[0].Code : 0;
        if (status is 401 or 403 || code is 10000 or 9106 or 7403 or 9109)
            return new CloudflareAuthenticationException(operation, status, errors);
        if (status == 404 || code is 7404 or 10013 or 10009)
            return new CloudflareNotFoundException(operation, status, errors);
        if (code == 7500)
            return new D1SqlException(operation, status, errors);
        return new CloudflareApiException(operation, status, errors);
    }

    /// <summary><c>retry-after</c> as delta-seconds or an HTTP date (as wrangler parses it).</summary>
    TimeSpan? RetryAfter(CloudflareResponse response)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (header.Date is { } date)
            {
                var wait = date - _time.GetUtcNow();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }
        var text = response.Header("retry-after");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    TimeSpan Backoff(int attempt)
    {
        var ms = Settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        ms = Math.Min(ms, Settings.MaxBackoff.TotalMilliseconds);
        // Jitter, so that clients failing together do not come back together.
        return TimeSpan.FromMilliseconds(ms * (0.75 + 0.5 * Random.Shared.NextDouble()));
    }

    static bool IsResetAfterConnect(HttpRequestException e) => Innermost(e) is IOException;

    static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    static string Excerpt(CloudflareResponse response, CloudflareEnvelope? envelope, CloudflareApiToken token)
    {
        if (envelope is { Errors.Count: > 0 }) return string.Join("; ", envelope.Errors);
        var text = System.Text.Encoding.UTF8.GetString(response.Body, 0, Math.Min(response.Body.Length, 300)).Trim();
        return text.Length == 0 ? "(empty answer)" : token.Redact(text);
    }

    void Report(CloudflareRequest request, int attempt, CloudflareResponse? response, long started, string failure)
    {
        if (Settings.OnRequest is not { } observer) return;
        observer(new CloudflareRequestInfo(request.Operation, attempt, response?.Status, request.Body?.LongLength ?? 0,
            response?.Body.LongLength ?? 0, _time.GetElapsedTime(started), response is null ? failure : null));
    }

    /// <summary><c>POST d1/database/{id}/query</c>: the route without the account and query string.</summary>
    static string OperationName(HttpMethod method, string route)
    {
        var q = route.IndexOf('?', StringComparison.Ordinal);
        return method.Method + " " + (q >= 0 ? route[..q] : route);
    }

    internal static string Escape(string segment) => Uri.EscapeDataString(segment);

    public void Dispose() => _http.Dispose();
}
