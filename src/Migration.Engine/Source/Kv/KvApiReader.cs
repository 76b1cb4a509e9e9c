using Migration.Engine.Cloudflare;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// Reads a namespace over the KV REST API through <see cref="KvNamespaceClient"/>: keys listed
/// 1,000 per page with the cursor, values fetched 100 per bulk request (binary ones alone, exact),
/// all through the one client's rate limiter and read retries. Keys before the start point are
/// skipped in the listing, so their values are never fetched.
/// </summary>
public sealed class KvApiReader : IKvReader
{
    readonly CloudflareApiClient _api;
    readonly KvNamespaceClient _kv;
    readonly bool _ownsClient;

    public KvApiReader(CloudflareApiClient api, string namespaceId, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
        _kv = api.Kv(namespaceId);
        _ownsClient = ownsClient;
    }

    public string Description => "KV namespace " + _kv.NamespaceId;

    /// <summary>
    /// The id of a namespace given by id or title: a 32-hex-digit string is taken as an id; anything
    /// else is looked up among the account's namespaces by title (exactly one must match).
    /// </summary>
    public static async Task<string> ResolveNamespaceAsync(CloudflareApiClient api, string idOrTitle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrTitle);
        if (idOrTitle.Length == 32 && idOrTitle.All(Uri.IsHexDigit)) return idOrTitle;
        var all = await api.ListKvNamespacesAsync(cancellationToken).ConfigureAwait(false);
        var found = all.Where(n => string.Equals(n.Title, idOrTitle, StringComparison.Ordinal)).ToList();
        return found.Count switch
        {
            1 => found[0].Id,
            0 => throw new CloudflareConfigurationException($"The account has no KV namespace with the id or title '{idOrTitle}' (it has: {(all.Count > 0 ? string.Join(", ", all.Select(n => n.Title)) : "none")})."),
            _ => throw new CloudflareConfigurationException($"{found.Count} KV namespaces have the title '{idOrTitle}': give the id."),
        };
    }

    public IEnumerable<KvRecord> Read(KvReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? cursor = null;
        do
        {
            var page = _kv.ListKeysAsync(options.Prefix, cursor, KvNamespaceClient.MaxPageSize, cancellationToken).GetAwaiter().GetResult();
            var wanted = page.Keys.Where(k => options.Wants(k.Name)).ToList();
            if (wanted.Count > 0)
            {
                var entries = _kv.GetEntriesAsync(wanted, cancellationToken).GetAwaiter().GetResult();
                foreach (var e in entries)
                    yield return KvValue.Read(e.Key, e.Value, e.Expiration, e.Metadata?.GetRawText());
            }
            cursor = page.Cursor;
        }
        while (cursor is not null);
    }

    public void Dispose()
    {
        if (_ownsClient) _api.Dispose();
    }
}
