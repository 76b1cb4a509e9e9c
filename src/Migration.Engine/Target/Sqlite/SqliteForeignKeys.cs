using Microsoft.Data.Sqlite;

namespace Migration.Engine.Target.Sqlite;

/// <summary>A foreign key a SQLite table declares; a null parent column means the parent's primary key (REFERENCES t without columns).</summary>
internal sealed record TargetForeignKey(int Id, string ParentTable, IReadOnlyList<string> Columns, IReadOnlyList<string?> ParentColumns);

/// <summary>The foreign keys a table declares, from <c>pragma_foreign_key_list</c> (the table name bound as a value).</summary>
internal static class SqliteForeignKeys
{
    /// <summary>In declaration order (SQLite numbers them from the last declared).</summary>
    public static IReadOnlyList<TargetForeignKey> Read(SqliteConnection connection, SqliteTransaction? transaction, string table)
    {
        var map = new SortedDictionary<int, (string Parent, List<string> From, List<string?> To)>();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($t) ORDER BY id, seq";
        cmd.Parameters.AddWithValue("$t", table);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var id = r.GetInt32(0);
            if (!map.TryGetValue(id, out var fk)) map[id] = fk = (r.GetString(1), [], []);
            fk.From.Add(r.GetString(2));
            fk.To.Add(r.IsDBNull(3) ? null : r.GetString(3));
        }
        return [.. map.Reverse().Select(kv => new TargetForeignKey(kv.Key, kv.Value.Parent, kv.Value.From, kv.Value.To))];
    }
}
