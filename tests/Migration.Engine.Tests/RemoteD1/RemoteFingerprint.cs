using Migration.Engine.Cloudflare;
using Migration.Engine.Tests.Infrastructure;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>A remote table's whole content as one text: every row's rowid and each value's storage class and exact payload, in rowid order.</summary>
internal static class RemoteFingerprint
{
    public static async Task<string> Of(CloudflareApiServer server, CloudflareApiClient api, string table, params string[] columns)
    {
        var values = string.Join(" || '|' || ", columns.Select(c =>
            $"typeof({c}) || ':' || coalesce(CASE typeof({c}) WHEN 'blob' THEN hex({c}) WHEN 'real' THEN printf('%!.17g', {c}) WHEN 'text' THEN hex({c}) ELSE {c} END, '')"));
        var db = api.D1(server.DatabaseUuids[CloudflareApiServer.Database]);
        var result = await db.RawAsync(new D1Statement($"SELECT count(*) || '#' || coalesce(group_concat(v, char(10)), '') FROM (SELECT rowid || '=' || {values} AS v FROM {table} ORDER BY rowid)"));
        return (string)result[0].DecodeRows(false)[0][0]!;
    }
}
