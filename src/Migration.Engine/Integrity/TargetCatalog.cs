using Microsoft.Data.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Integrity;

/// <summary>An index of the target (or the unique constraint / primary key behind an automatic index).</summary>
sealed record TargetIndex(string Name, IReadOnlyList<string> Columns, bool IsUnique);

/// <summary>
/// What the target file holds, read through SQLite's pragma functions (names bound as values).
/// SQLite resolves table and column names case-insensitively, so lookups here do too.
/// </summary>
sealed class TargetCatalog
{
    readonly SqliteConnection _db;

    public TargetCatalog(SqliteConnection db) => _db = db;

    /// <summary>The table's name as the target spells it, or null when there is no such table.</summary>
    public string? FindTable(string name)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = $n COLLATE NOCASE";
        cmd.Parameters.AddWithValue("$n", name);
        return cmd.ExecuteScalar() as string;
    }

    public IReadOnlyList<string> Columns(string table) =>
        Strings("SELECT name FROM pragma_table_info($t) ORDER BY cid", ("$t", table));

    public IReadOnlyList<TargetIndex> Indexes(string table)
    {
        var list = new List<TargetIndex>();
        foreach (var (name, unique) in Pairs("SELECT name, \"unique\" FROM pragma_index_list($t)", table))
        {
            var cols = new List<string>();
            var expression = false;
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT name FROM pragma_index_info($i) ORDER BY seqno";
            cmd.Parameters.AddWithValue("$i", name);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (r.IsDBNull(0)) expression = true;
                else cols.Add(r.GetString(0));
            }
            // An index on expressions cannot stand for a column index.
            if (!expression) list.Add(new TargetIndex(name, cols, unique));
        }
        // An INTEGER PRIMARY KEY is the rowid and has no index entry of its own.
        var rowidKey = Strings("SELECT name FROM pragma_table_info($t) WHERE pk = 1 AND upper(type) = 'INTEGER' AND (SELECT count(*) FROM pragma_table_info($t) WHERE pk > 0) = 1", ("$t", table));
        if (rowidKey.Count == 1) list.Add(new TargetIndex("(rowid)", rowidKey, true));
        return list;
    }

    public IReadOnlyList<TargetForeignKey> ForeignKeys(string table) => SqliteForeignKeys.Read(_db, null, table);

    IReadOnlyList<string> Strings(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    List<(string Name, bool Unique)> Pairs(string sql, string table)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$t", table);
        using var r = cmd.ExecuteReader();
        var list = new List<(string, bool)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetInt64(1) != 0));
        return list;
    }
}
