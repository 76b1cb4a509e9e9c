namespace Migration.Engine.Cloudflare;

/// <summary>Listing the account's D1 databases and resolving a name or UUID, as wrangler does.</summary>
internal static class D1DatabaseLookup
{
    const int PageSize = 1000;

    public static async Task<IReadOnlyList<D1DatabaseInfo>> ListAsync(CloudflareApiClient api, string? name, CancellationToken cancellationToken)
    {
        var all = new List<D1DatabaseInfo>();
        for (var page = 1; ; page++)
        {
            var filter = name is null ? "" : "&name=" + CloudflareApiClient.Escape(name);
            var envelope = await api.SendEnvelopeAsync(HttpMethod.Get, $"d1/database?per_page={PageSize}&page={page}{filter}", null, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
            var count = 0;
            foreach (var d in envelope.Result.EnumerateArray())
            {
                all.Add(D1DatabaseInfo.From(d));
                count++;
            }
            if (count < PageSize) return all;
        }
    }

    public static async Task<D1DatabaseInfo> ResolveAsync(CloudflareApiClient api, string nameOrId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        if (Guid.TryParseExact(nameOrId, "D", out _))
        {
            var envelope = await api.SendEnvelopeAsync(HttpMethod.Get, "d1/database/" + CloudflareApiClient.Escape(nameOrId), null, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
            return D1DatabaseInfo.From(envelope.Result);
        }
        // The API's name filter may match loosely: the name must match exactly.
        var matches = (await ListAsync(api, nameOrId, cancellationToken).ConfigureAwait(false))
            .Where(d => string.Equals(d.Name, nameOrId, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CloudflareNotFoundException("GET d1/database", 404, [],
                $"No D1 database named '{nameOrId}' in account {api.Settings.AccountId} (names are case-sensitive; a UUID also works)."),
            _ => throw new CloudflareApiException("GET d1/database", null, [],
                $"{matches.Count} D1 databases are named '{nameOrId}' in account {api.Settings.AccountId}; give its UUID: {string.Join(", ", matches.Select(m => m.Uuid))}."),
        };
    }
}
