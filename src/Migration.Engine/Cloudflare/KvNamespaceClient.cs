using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// The read operations on one Workers KV namespace over the API: key listing (cursor, prefix,
/// up to 1,000 per page), single values as bytes with their expiration, metadata, and values in
/// bulk (100 keys per request). All are reads: retried when they fail, rate limited with the
/// rest of the client's requests.
/// </summary>
public sealed class KvNamespaceClient
{
    /// <summary>The most keys one listing page may hold.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The most keys one bulk get may ask for.</summary>
    public const int MaxBulkKeys = 100;

    readonly CloudflareApiClient _api;

    internal KvNamespaceClient(CloudflareApiClient api, string namespaceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(namespaceId);
        _api = api;
        NamespaceId = namespaceId;
    }

    public string NamespaceId { get; }

    string Route(string action) => "storage/kv/namespaces/" + CloudflareApiClient.Escape(NamespaceId) + "/" + action;

    /// <summary>One page of keys, in KV's (lexicographic) order.</summary>
    public async Task<KvKeyPage> ListKeysAsync(string? prefix = null, string? cursor = null, int limit = MaxPageSize, CancellationToken cancellationToken = default)
    {
        if (limit is < 10 or > MaxPageSize) throw new ArgumentOutOfRangeException(nameof(limit), limit, "KV lists 10 to 1000 keys per page.");
        var query = new StringBuilder("keys?limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(prefix)) query.Append("&prefix=").Append(CloudflareApiClient.Escape(prefix));
        if (!string.IsNullOrEmpty(cursor)) query.Append("&cursor=").Append(CloudflareApiClient.Escape(cursor));
        var envelope = await _api.SendEnvelopeAsync(HttpMethod.Get, Route(query.ToString()), null, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
        var keys = envelope.Result.EnumerateArray().Select(KvKey.From).ToList();
        var next = envelope.ResultInfo is { } info && info.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return new KvKeyPage(keys, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>Every key (with <paramref name="prefix"/>), page after page, from <paramref name="cursor"/> if given.</summary>
    public async IAsyncEnumerable<KvKey> ListAllKeysAsync(string? prefix = null, string? cursor = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        do
        {
            var page = await ListKeysAsync(prefix, cursor, MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var key in page.Keys) yield return key;
            cursor = page.Cursor;
        }
        while (cursor is not null);
    }

    /// <summary>A value as stored (bytes) with its expiration and metadata; null when the key does not exist.</summary>
    public async Task<KvEntry?> GetAsync(string key, bool withMetadata = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        CloudflareResponse response;
        try
        {
            response = await _api.SendRawAsync(HttpMethod.Get, Route("values/" + CloudflareApiClient.Escape(key)), RetrySafety.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudflareNotFoundException e) when (e.Code == 10009)
        {
            return null;
        }
        var expiration = long.TryParse(response.Header("expiration"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : (long?)null;
        var metadata = withMetadata ? await GetMetadataAsync(key, cancellationToken).ConfigureAwait(false) : null;
        return new KvEntry(key, response.Body, expiration, metadata);
    }

    /// <summary>A key's metadata (null when it has none or does not exist).</summary>
    public async Task<JsonElement?> GetMetadataAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var envelope = await _api.SendEnvelopeAsync(HttpMethod.Get, Route("metadata/" + CloudflareApiClient.Escape(key)), null, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
            return envelope.Result.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : envelope.Result;
        }
        catch (CloudflareNotFoundException e) when (e.Code == 10009)
        {
            return null;
        }
    }

    /// <summary>
    /// The values of up to 100 keys in one request (<c>bulk/get</c>, type text, with metadata):
    /// key -> (text, metadata, expiration) or null for a missing key. Bulk get returns text, so a
    /// binary value would come back altered: use <see cref="GetEntriesAsync"/>, which fetches those alone.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, KvBulkValue?>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count is 0 or > MaxBulkKeys) throw new ArgumentOutOfRangeException(nameof(keys), keys.Count, "A bulk get takes 1 to 100 keys.");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { keys, type = "text", withMetadata = true });
        var envelope = await _api.SendEnvelopeAsync(HttpMethod.Post, Route("bulk/get"), body, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, KvBulkValue?>(StringComparer.Ordinal);
        if (envelope.Result.TryGetProperty("values", out var map) && map.ValueKind == JsonValueKind.Object)
            foreach (var p in map.EnumerateObject())
                values[p.Name] = KvBulkValue.From(p.Value);
        return values;
    }

    /// <summary>
    /// The entries of listed keys, values exact: fetched 100 at a time with <see cref="BulkGetAsync"/>;
    /// a value whose text holds U+FFFD (the mark of bytes that were not UTF-8, or a real U+FFFD)
    /// is fetched again alone as bytes. Expiration and metadata come from the listing when the bulk
    /// answer lacks them. Keys deleted since the listing are left out.
    /// </summary>
    public async Task<IReadOnlyList<KvEntry>> GetEntriesAsync(IReadOnlyList<KvKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var entries = new List<KvEntry>(keys.Count);
        for (var start = 0; start < keys.Count; start += MaxBulkKeys)
        {
            var chunk = keys.Skip(start).Take(MaxBulkKeys).ToList();
            var values = await BulkGetAsync(chunk.Select(k => k.Name).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var key in chunk)
            {
                if (!values.TryGetValue(key.Name, out var v) || v is null) continue;
                if (v.Text.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    var exact = await GetAsync(key.Name, withMetadata: true, cancellationToken).ConfigureAwait(false);
                    if (exact is not null) entries.Add(exact with { Expiration = exact.Expiration ?? key.Expiration, Metadata = exact.Metadata ?? key.Metadata });
                    continue;
                }
                entries.Add(new KvEntry(key.Name, Encoding.UTF8.GetBytes(v.Text), v.Expiration ?? key.Expiration, v.Metadata ?? key.Metadata));
            }
        }
        return entries;
    }
}
