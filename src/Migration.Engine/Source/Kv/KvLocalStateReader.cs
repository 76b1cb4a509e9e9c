using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// Reads the KV namespace wrangler keeps for <c>--local</c> (Miniflare's storage, as
/// <c>wrangler kv key put --local</c> writes it): the table <c>_mf_entries(key, blob_id,
/// expiration ms, metadata)</c> in <c>kv/miniflare-KVNamespaceObject/&lt;id hash&gt;.sqlite</c>
/// and each value in <c>kv/&lt;namespace id&gt;/blobs/&lt;blob_id&gt;</c>. The file is opened
/// read-only; keys already expired are left out, as wrangler leaves them out.
/// </summary>
public sealed class KvLocalStateReader : IKvReader
{
    const string ObjectClass = "miniflare-KVNamespaceObject";
    readonly string _database;
    readonly string _blobs;
    readonly TimeProvider _time;

    KvLocalStateReader(string database, string blobs, string namespaceId, TimeProvider time)
    {
        _database = database;
        _blobs = blobs;
        NamespaceId = namespaceId;
        _time = time;
    }

    public string NamespaceId { get; }

    public string Description => $"local KV namespace {NamespaceId} ({_database})";

    /// <summary>
    /// The reader of namespace <paramref name="namespaceId"/> under <paramref name="path"/>: a
    /// project folder (holding <c>.wrangler</c>), its <c>.wrangler/state</c>, <c>state/v3</c> or
    /// <c>v3/kv</c> folder. Without an id, the only namespace there. Throws
    /// <see cref="ArgumentException"/> naming what is missing.
    /// </summary>
    public static KvLocalStateReader Open(string path, string? namespaceId, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var kv = FindKvFolder(path)
            ?? throw new ArgumentException($"No local KV state under \"{path}\": expected a folder holding .wrangler/state/v3/kv (what `wrangler kv key put --local` writes).");
        if (string.IsNullOrEmpty(namespaceId))
        {
            var ids = Directory.GetDirectories(kv).Select(System.IO.Path.GetFileName).Where(n => n is not null && n != ObjectClass && Directory.Exists(System.IO.Path.Combine(kv, n, "blobs"))).ToList();
            if (ids.Count != 1)
                throw new ArgumentException(ids.Count == 0
                    ? $"The local KV state in \"{kv}\" holds no namespace."
                    : $"The local KV state in \"{kv}\" holds {ids.Count} namespaces ({string.Join(", ", ids)}): give -Namespace (the id) or -Binding.");
            namespaceId = ids[0]!;
        }
        var database = System.IO.Path.Combine(kv, ObjectClass, ObjectFileName(namespaceId) + ".sqlite");
        if (!File.Exists(database))
            throw new ArgumentException($"The local KV state in \"{kv}\" has no namespace with the id {namespaceId} (no {System.IO.Path.GetFileName(database)}).");
        return new KvLocalStateReader(database, System.IO.Path.Combine(kv, namespaceId, "blobs"), namespaceId, time ?? TimeProvider.System);
    }

    /// <summary>Miniflare's Durable Object id for a name (its <c>durableObjectNamespaceIdFromName</c>): where the namespace's SQLite file is.</summary>
    internal static string ObjectFileName(string namespaceId)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(ObjectClass));
        var nameMac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(namespaceId)).AsSpan(0, 16).ToArray();
        var mac = HMACSHA256.HashData(key, nameMac).AsSpan(0, 16).ToArray();
        return System.Convert.ToHexString([.. nameMac, .. mac]).ToLowerInvariant();
    }

    static string? FindKvFolder(string path)
    {
        string[] candidates = [
            System.IO.Path.Combine(path, ".wrangler", "state", "v3", "kv"),
            System.IO.Path.Combine(path, "state", "v3", "kv"),
            System.IO.Path.Combine(path, "v3", "kv"),
            System.IO.Path.Combine(path, "kv"),
            path];
        return candidates.FirstOrDefault(c => Directory.Exists(System.IO.Path.Combine(c, ObjectClass)));
    }

    public IEnumerable<KvRecord> Read(KvReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new SqliteConnectionStringBuilder { DataSource = _database, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // BINARY collation: the keys' UTF-8 bytes in order, as KV lists them.
        command.CommandText = "SELECT key, blob_id, expiration, metadata FROM _mf_entries WHERE key >= $from ORDER BY key";
        var from = options.StartAt ?? options.StartAfter ?? "";
        if (!string.IsNullOrEmpty(options.Prefix) && KvKeyOrder.Instance.Compare(options.Prefix, from) > 0) from = options.Prefix;
        command.Parameters.AddWithValue("$from", from);
        using var reader = command.ExecuteReader();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = reader.GetString(0);
            if (!string.IsNullOrEmpty(options.Prefix) && !key.StartsWith(options.Prefix, StringComparison.Ordinal))
            {
                if (KvKeyOrder.Instance.Compare(key, options.Prefix) > 0) yield break; // past the prefix's range
                continue;
            }
            if (!options.Wants(key)) continue;
            long? expiresMs = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            if (expiresMs is { } ms && ms <= now) continue;
            var blob = System.IO.Path.Combine(_blobs, reader.GetString(1));
            byte[] value;
            try
            {
                value = File.ReadAllBytes(blob);
            }
            catch (FileNotFoundException)
            {
                continue; // deleted between the row and its blob (wrangler writes the blob first, deletes it last)
            }
            yield return KvValue.Read(key, value, expiresMs is { } e ? e / 1000 : null, reader.IsDBNull(3) ? null : reader.GetString(3));
        }
    }

    public void Dispose() { }
}
