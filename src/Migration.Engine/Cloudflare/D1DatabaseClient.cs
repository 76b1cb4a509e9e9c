using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// The D1 operations on one database over the API: <c>/query</c> and <c>/raw</c> (one statement
/// or a batch, each request one transaction), the import API, export, and Time Travel. Every
/// call goes through <see cref="CloudflareApiClient"/> (timeout, rate limit, safe retries only).
/// Writes say whether they may be repeated (<see cref="RetrySafety"/>); a write that may not and
/// whose outcome is unknown raises <see cref="AmbiguousWriteException"/>.
/// </summary>
public sealed class D1DatabaseClient
{
    readonly CloudflareApiClient _api;

    internal D1DatabaseClient(CloudflareApiClient api, string databaseId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseId);
        _api = api;
        DatabaseId = databaseId;
    }

    public string DatabaseId { get; }

    string Route(string action) => "d1/database/" + CloudflareApiClient.Escape(DatabaseId) + (action.Length == 0 ? "" : "/" + action);

    /// <summary>The database's description (name, version, size).</summary>
    public async Task<D1DatabaseInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        D1DatabaseInfo.From((await _api.SendEnvelopeAsync(HttpMethod.Get, Route(""), null, RetrySafety.Read, cancellationToken).ConfigureAwait(false)).Result);

    /// <summary><c>/query</c> with one statement; a result per statement run (rows as objects, meta).</summary>
    public Task<IReadOnlyList<D1QueryResult>> QueryAsync(D1Statement statement, RetrySafety safety, CancellationToken cancellationToken = default) =>
        RunAsync("query", [statement], batch: false, safety, D1QueryResult.From, cancellationToken);

    /// <summary><c>/query</c> with <c>{batch:[...]}</c>: all statements in one transaction (a failure rolls back all).</summary>
    public Task<IReadOnlyList<D1QueryResult>> QueryBatchAsync(IReadOnlyList<D1Statement> statements, RetrySafety safety, CancellationToken cancellationToken = default) =>
        RunAsync("query", statements, batch: true, safety, D1QueryResult.From, cancellationToken);

    /// <summary><c>/raw</c> with one statement: rows as arrays. A read unless told otherwise.</summary>
    public Task<IReadOnlyList<D1RawResult>> RawAsync(D1Statement statement, RetrySafety safety = RetrySafety.Read, CancellationToken cancellationToken = default) =>
        RunAsync("raw", [statement], batch: false, safety, D1RawResult.From, cancellationToken);

    /// <summary><c>/raw</c> with <c>{batch:[...]}</c>, one transaction.</summary>
    public Task<IReadOnlyList<D1RawResult>> RawBatchAsync(IReadOnlyList<D1Statement> statements, RetrySafety safety = RetrySafety.Read, CancellationToken cancellationToken = default) =>
        RunAsync("raw", statements, batch: true, safety, D1RawResult.From, cancellationToken);

    /// <summary>The JSON body of a <c>/query</c> or <c>/raw</c> request (its size counts toward request limits).</summary>
    public static byte[] RequestBody(IReadOnlyList<D1Statement> statements, bool batch)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.Count == 0) throw new ArgumentException("No statements to send.", nameof(statements));
        if (!batch && statements.Count != 1) throw new ArgumentException("A single request holds one statement; use a batch.", nameof(statements));
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (batch)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("batch");
                foreach (var s in statements) s.WriteTo(writer);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            else
            {
                statements[0].WriteTo(writer);
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    async Task<IReadOnlyList<T>> RunAsync<T>(string action, IReadOnlyList<D1Statement> statements, bool batch, RetrySafety safety,
        Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var body = RequestBody(statements, batch);
        var envelope = await _api.SendEnvelopeAsync(HttpMethod.Post, Route(action), body, safety, cancellationToken).ConfigureAwait(false);
        var results = new List<T>();
        if (envelope.Result.ValueKind == JsonValueKind.Array)
            foreach (var r in envelope.Result.EnumerateArray()) results.Add(read(r));
        return results;
    }

    // ---- import: init (MD5 etag) -> PUT upload_url -> ingest -> poll --------------------------

    /// <summary>
    /// Runs a SQL file through D1's import API, as <c>wrangler d1 execute --remote --file</c>:
    /// init with the file's MD5, PUT to the presigned upload URL (no token sent there; the ETag
    /// must equal the MD5), ingest, then poll until complete. D1 runs the file as one unit and
    /// reverts it on failure (<see cref="D1ImportFailedException"/>). Init (which starts the
    /// import at once when the file is already uploaded) and ingest are not repeatable: an
    /// unknown outcome there raises <see cref="AmbiguousWriteException"/>; the upload and polls
    /// are retried. <paramref name="progress"/> hears each stage and the server's poll messages.
    /// </summary>
    public async Task<D1ImportResult> ImportAsync(byte[] sql, Action<D1ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var etag = System.Convert.ToHexString(MD5.HashData(sql)).ToLowerInvariant();
        var operation = "POST " + Route("import");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = new List<string>();

        var init = await ImportActionAsync(new { action = "init", etag }, RetrySafety.Write, cancellationToken).ConfigureAwait(false);
        JsonElement state;
        if (init.TryGetProperty("upload_url", out var uploadUrl) && uploadUrl.ValueKind == JsonValueKind.String)
        {
            var filename = init.TryGetProperty("filename", out var f) ? f.GetString() : null;
            progress?.Invoke(new D1ImportProgress("upload", null, [$"Uploading {sql.Length:N0} bytes"], 0));
            await UploadAsync(new Uri(uploadUrl.GetString()!), sql, etag, cancellationToken).ConfigureAwait(false);
            state = await ImportActionAsync(new { action = "ingest", etag, filename }, RetrySafety.Write, cancellationToken).ConfigureAwait(false);
            Report(progress, "ingest", state, 0, seen, all);
        }
        else
        {
            // "File already uploaded. Processing.": the init answer is the first poll answer.
            state = init;
            Report(progress, "ingest", state, 0, seen, all);
        }

        for (var polls = 1; ; polls++)
        {
            if (state.TryGetProperty("success", out var ok) && ok.ValueKind == JsonValueKind.False)
                throw new D1ImportFailedException(operation, ImportError(state), all);
            var status = state.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "complete")
                return Completed(state, etag, all);
            if (status == "error")
                throw new D1ImportFailedException(operation, ImportError(state), all);
            var started = DateTime.UtcNow;
            var bookmark = state.TryGetProperty("at_bookmark", out var b) ? b.GetString() : null;
            state = await ImportActionAsync(new { action = "poll", current_bookmark = bookmark }, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
            Report(progress, "poll", state, polls, seen, all);
            // The server paces long imports itself; a quick "active" answer waits a little so
            // that polling does not spend the account's request budget.
            var pause = TimeSpan.FromSeconds(1) - (DateTime.UtcNow - started);
            if (pause > TimeSpan.Zero && state.TryGetProperty("status", out var st) && st.GetString() == "active")
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<JsonElement> ImportActionAsync(object body, RetrySafety safety, CancellationToken cancellationToken) =>
        (await _api.SendEnvelopeAsync(HttpMethod.Post, Route("import"), JsonSerializer.SerializeToUtf8Bytes(body), safety, cancellationToken).ConfigureAwait(false)).Result;

    async Task UploadAsync(Uri uploadUrl, byte[] sql, string etag, CancellationToken cancellationToken)
    {
        // Presigned: no Authorization header. The same bytes again are harmless, so retried.
        var request = new CloudflareRequest(HttpMethod.Put, uploadUrl, "PUT import upload URL", RetrySafety.IdempotentWrite, sql, "application/octet-stream", Authenticated: false);
        var response = await _api.SendAsync(request, r => r.Status == 200, cancellationToken).ConfigureAwait(false);
        var received = response.Header("etag")?.Trim('"');
        if (!string.Equals(received, etag, StringComparison.OrdinalIgnoreCase))
            throw new CloudflareApiException(request.Operation, response.Status, [],
                $"The uploaded SQL file did not arrive intact (ETag {received ?? "missing"}, expected the MD5 {etag}); nothing was imported.");
    }

    static void Report(Action<D1ImportProgress>? progress, string stage, JsonElement state, int polls, HashSet<string> seen, List<string> all)
    {
        var fresh = new List<string>();
        if (state.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            foreach (var m in messages.EnumerateArray())
                if (m.ValueKind == JsonValueKind.String && seen.Add(m.GetString()!))
                    fresh.Add(m.GetString()!);
        all.AddRange(fresh);
        progress?.Invoke(new D1ImportProgress(stage, state.TryGetProperty("status", out var s) ? s.GetString() : null, fresh, polls));
    }

    static string ImportError(JsonElement state)
    {
        if (state.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) return e.GetString()!;
        if (state.TryGetProperty("errors", out var es) && es.ValueKind == JsonValueKind.Array)
            return string.Join("\n", es.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText()));
        return "the import ended without saying why";
    }

    static D1ImportResult Completed(JsonElement state, string etag, IReadOnlyList<string> messages)
    {
        var result = state.TryGetProperty("result", out var r) ? r : default;
        var count = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("num_queries", out var n) && n.TryGetInt64(out var l) ? l : 0;
        var bookmark = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("final_bookmark", out var fb) ? fb.GetString() : null;
        var meta = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("meta", out var m) ? D1QueryMeta.From(m) : D1QueryMeta.From(default);
        return new D1ImportResult(count, bookmark, meta, messages, etag);
    }

    // ---- export ------------------------------------------------------------------------------

    /// <summary>
    /// Dumps the database as SQL (as <c>wrangler d1 export --remote</c>): polls until the dump is
    /// ready, then downloads it from the signed URL (no token sent there) into <paramref name="destination"/>.
    /// Export only reads, so every step is retried when it fails.
    /// </summary>
    public async Task<D1ExportResult> ExportAsync(Stream destination, D1ExportOptions? options = null, Action<D1ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new D1ExportOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = new List<string>();
        string? bookmark = null;
        for (var polls = 0; ; polls++)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new
            {
                output_format = "polling",
                dump_options = new { no_schema = options.NoSchema, no_data = options.NoData, tables = options.Tables ?? [] },
                current_bookmark = bookmark,
            });
            var started = DateTime.UtcNow;
            var state = (await _api.SendEnvelopeAsync(HttpMethod.Post, Route("export"), body, RetrySafety.Read, cancellationToken).ConfigureAwait(false)).Result;
            Report(progress, "poll", state, polls, seen, all);
            var status = state.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "error" || (state.TryGetProperty("success", out var ok) && ok.ValueKind == JsonValueKind.False))
                throw new CloudflareApiException("POST " + Route("export"), null, [], "D1 could not export the database: " + ImportError(state));
            bookmark = state.TryGetProperty("at_bookmark", out var b) ? b.GetString() : bookmark;
            if (status == "complete")
            {
                var result = state.GetProperty("result");
                var url = new Uri(result.GetProperty("signed_url").GetString()!);
                var filename = result.TryGetProperty("filename", out var f) ? f.GetString() ?? "" : "";
                var download = new CloudflareRequest(HttpMethod.Get, url, "GET export signed URL", RetrySafety.Read, Authenticated: false);
                var response = await _api.SendAsync(download, r => r.IsSuccessStatus, cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(response.Body, cancellationToken).ConfigureAwait(false);
                return new D1ExportResult(filename, bookmark, response.Body.LongLength, all);
            }
            var pause = TimeSpan.FromSeconds(1) - (DateTime.UtcNow - started);
            if (pause > TimeSpan.Zero) await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- Time Travel -------------------------------------------------------------------------

    /// <summary>The current bookmark, or the nearest at or before <paramref name="timestamp"/>.</summary>
    public async Task<string> GetBookmarkAsync(DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        var query = timestamp is { } t ? "?timestamp=" + CloudflareApiClient.Escape(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)) : "";
        var result = (await _api.SendEnvelopeAsync(HttpMethod.Get, Route("time_travel/bookmark") + query, null, RetrySafety.Read, cancellationToken).ConfigureAwait(false)).Result;
        return result.GetProperty("bookmark").GetString()!;
    }

    /// <summary>
    /// Restores the database to <paramref name="bookmark"/>: destructive, it overwrites every write
    /// since. Restoring the same bookmark twice gives the same content, so it is retried as an
    /// idempotent write; <see cref="D1RestoreResult.PreviousBookmark"/> undoes it.
    /// </summary>
    public async Task<D1RestoreResult> RestoreAsync(string bookmark, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bookmark);
        var result = (await _api.SendEnvelopeAsync(HttpMethod.Post, Route("time_travel/restore") + "?bookmark=" + CloudflareApiClient.Escape(bookmark),
            null, RetrySafety.IdempotentWrite, cancellationToken).ConfigureAwait(false)).Result;
        return new D1RestoreResult(
            result.GetProperty("bookmark").GetString()!,
            result.TryGetProperty("previous_bookmark", out var p) ? p.GetString() : null,
            result.TryGetProperty("message", out var m) ? m.GetString() : null);
    }
}
