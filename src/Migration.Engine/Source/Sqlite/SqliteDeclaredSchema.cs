using System.Text.RegularExpressions;
using Migration.Engine.Schema;

namespace Migration.Engine.Source.Sqlite;

/// <summary>
/// Reads a D1 table's declared schema (<see cref="D1DeclaredTable"/>) through SQLite's own
/// pragmas, inside the source's snapshot: columns with their declared types and defaults, the
/// primary key, UNIQUE constraints and indexes, foreign keys with their actions, and whether the
/// key is the rowid (INTEGER PRIMARY KEY) or AUTOINCREMENT.
/// </summary>
public static partial class SqliteDeclaredSchema
{
    public static D1DeclaredTable Read(SqliteFileSource source, string table)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(table);
        string sql;
        using (var cmd = source.Command("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = $t"))
        {
            cmd.Parameters.AddWithValue("$t", table);
            sql = cmd.ExecuteScalar() as string ?? throw new SqliteSourceException(table, $"no such table in {source.Path}.");
        }
        var columns = new List<D1DeclaredColumn>();
        using (var cmd = source.Command("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($t) ORDER BY cid"))
        {
            cmd.Parameters.AddWithValue("$t", table);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                columns.Add(new D1DeclaredColumn(r.GetString(0), r.IsDBNull(1) ? "" : r.GetString(1), r.GetInt64(2) != 0,
                    r.IsDBNull(3) ? null : r.GetString(3), r.GetInt32(4)));
        }
        var withoutRowid = WithoutRowid().IsMatch(sql);
        var key = columns.Where(c => c.KeyPosition > 0).ToList();
        // SQLite makes the column the rowid only when the declared type is exactly INTEGER (datatype3.html, "ROWIDs and the INTEGER PRIMARY KEY").
        var rowidAlias = !withoutRowid && key.Count == 1 && string.Equals(key[0].DeclaredType.Trim(), "INTEGER", StringComparison.OrdinalIgnoreCase);
        var autoIncrement = AutoIncrement().IsMatch(sql);

        var indexes = new List<D1DeclaredIndex>();
        var list = new List<(string Name, bool Unique, string Origin, bool Partial)>();
        using (var cmd = source.Command("SELECT name, \"unique\", origin, partial FROM pragma_index_list($t) ORDER BY seq DESC"))
        {
            cmd.Parameters.AddWithValue("$t", table);
            using var r = cmd.ExecuteReader();
            while (r.Read()) list.Add((r.GetString(0), r.GetInt64(1) != 0, r.GetString(2), r.GetInt64(3) != 0));
        }
        foreach (var (name, unique, origin, partial) in list)
        {
            if (origin == "pk") continue; // the primary key itself
            var keyColumns = new List<D1IndexColumn>();
            using (var cmd = source.Command("SELECT name, \"desc\", coll FROM pragma_index_xinfo($i) WHERE key = 1 ORDER BY seqno"))
            {
                cmd.Parameters.AddWithValue("$i", name);
                using var r = cmd.ExecuteReader();
                while (r.Read())
                    keyColumns.Add(new D1IndexColumn(r.IsDBNull(0) ? null : r.GetString(0), r.GetInt64(1) != 0, r.IsDBNull(2) ? null : r.GetString(2)));
            }
            string? predicate = null;
            if (partial)
            {
                using var cmd = source.Command("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = $i");
                cmd.Parameters.AddWithValue("$i", name);
                var text = cmd.ExecuteScalar() as string ?? "";
                var at = text.LastIndexOf(" WHERE ", StringComparison.OrdinalIgnoreCase);
                predicate = at < 0 ? text : text[(at + 7)..].Trim();
            }
            indexes.Add(new D1DeclaredIndex(name, unique, origin == "u", keyColumns, predicate));
        }

        var foreignKeys = new List<D1DeclaredForeignKey>();
        using (var cmd = source.Command("SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list($t) ORDER BY id, seq"))
        {
            cmd.Parameters.AddWithValue("$t", table);
            using var r = cmd.ExecuteReader();
            var parts = new List<(long Id, string Parent, string From, string? To, string OnUpdate, string OnDelete)>();
            while (r.Read()) parts.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5)));
            // pragma_foreign_key_list numbers keys from the last declared: reversed, they come in declaration order.
            foreach (var g in parts.GroupBy(p => p.Id).OrderByDescending(g => g.Key))
            {
                var first = g.First();
                foreignKeys.Add(new D1DeclaredForeignKey([.. g.Select(p => p.From)], first.Parent, [.. g.Select(p => p.To)],
                    Action(first.OnDelete), Action(first.OnUpdate)));
            }
        }
        return new D1DeclaredTable(table, sql, columns, rowidAlias, autoIncrement, withoutRowid, indexes, foreignKeys);
    }

    static ForeignKeyAction Action(string text) => text.ToUpperInvariant() switch
    {
        "CASCADE" => ForeignKeyAction.Cascade,
        "SET NULL" => ForeignKeyAction.SetNull,
        "SET DEFAULT" => ForeignKeyAction.SetDefault,
        "RESTRICT" => ForeignKeyAction.Restrict,
        _ => ForeignKeyAction.NoAction,
    };

    [GeneratedRegex(@"\)\s*WITHOUT\s+ROWID\s*(,|;|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithoutRowid();

    [GeneratedRegex(@"\bAUTOINCREMENT\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AutoIncrement();
}
