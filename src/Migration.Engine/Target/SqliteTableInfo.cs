using Microsoft.Data.Sqlite;

namespace Migration.Engine.Target;

/// <summary>One column of an existing SQLite table, as <c>PRAGMA table_info</c> reports it.</summary>
internal sealed record SqliteColumnInfo(string Name, string DeclaredType, bool NotNull, int PrimaryKeyPosition, bool HasDefault = false)
{
    public SqliteAffinity Affinity { get; } = SqliteAffinityRules.Of(DeclaredType);
}

/// <summary>An existing SQLite table: its name as stored and its insertable columns.</summary>
internal sealed class SqliteTableInfo
{
    SqliteTableInfo(string name, IReadOnlyList<SqliteColumnInfo> columns, IReadOnlyList<IReadOnlyList<string>>? uniqueKeys = null)
    {
        Name = name;
        Columns = columns;
        UniqueKeys = uniqueKeys ?? [];
        PrimaryKey = [.. columns.Where(c => c.PrimaryKeyPosition > 0).OrderBy(c => c.PrimaryKeyPosition).Select(c => c.Name)];
    }

    public string Name { get; }
    public IReadOnlyList<SqliteColumnInfo> Columns { get; }
    /// <summary>Primary key column names in key order; empty when the table has none.</summary>
    public IReadOnlyList<string> PrimaryKey { get; }
    /// <summary>The columns of each UNIQUE constraint or full unique index other than the primary key.</summary>
    public IReadOnlyList<IReadOnlyList<string>> UniqueKeys { get; }

    /// <summary>Whether some key of the table (primary or unique) lies wholly within <paramref name="columns"/>.</summary>
    public bool HasKeyWithin(IEnumerable<string> columns)
    {
        var set = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
        return (PrimaryKey.Count > 0 && PrimaryKey.All(set.Contains)) || UniqueKeys.Any(k => k.All(set.Contains));
    }

    /// <summary>
    /// Whether the primary key or a unique key consists of exactly <paramref name="columns"/> (in
    /// any order): what SQLite needs of an upsert's <c>ON CONFLICT (...)</c> target.
    /// </summary>
    public bool HasKeyExactly(IReadOnlyCollection<string> columns)
    {
        bool Same(IReadOnlyList<string> key) => key.Count == columns.Count && key.All(k => columns.Contains(k, StringComparer.OrdinalIgnoreCase));
        return (PrimaryKey.Count > 0 && Same(PrimaryKey)) || UniqueKeys.Any(Same);
    }

    /// <summary>The column of that name (SQLite names are case-insensitive), or null.</summary>
    public SqliteColumnInfo? Find(string column)
    {
        foreach (var c in Columns)
            if (string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
                return c;
        return null;
    }

    /// <summary>A table described elsewhere (a remote D1's <c>pragma_table_info</c> and unique indexes).</summary>
    public static SqliteTableInfo Of(string name, IReadOnlyList<SqliteColumnInfo> columns, IReadOnlyList<IReadOnlyList<string>>? uniqueKeys = null) => new(name, columns, uniqueKeys);

    /// <summary>The table a CREATE TABLE from this schema makes (see <see cref="SqliteSql.CreateTable"/>).</summary>
    public static SqliteTableInfo FromSchema(Schema.TableSchema schema) => new(
        schema.Name,
        [.. schema.Columns.Select((c, i) => new SqliteColumnInfo(
            c.Name,
            SqliteSql.TypeName(c.D1Type),
            !c.IsNullable || schema.PrimaryKey.Contains(i),
            KeyPosition(schema, i)))]);

    static int KeyPosition(Schema.TableSchema schema, int ordinal)
    {
        for (var k = 0; k < schema.PrimaryKey.Count; k++)
            if (schema.PrimaryKey[k] == ordinal) return k + 1;
        return 0;
    }

    /// <summary>Reads a table's description; null when there is no such table (views are not tables).</summary>
    public static SqliteTableInfo? Read(SqliteConnection connection, string table, SqliteTransaction? transaction = null)
    {
        string? name;
        using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = $t COLLATE NOCASE";
            find.Parameters.AddWithValue("$t", table);
            name = find.ExecuteScalar() as string;
        }
        if (name is null) return null;

        var columns = new List<SqliteColumnInfo>();
        using (var info = connection.CreateCommand())
        {
            info.Transaction = transaction;
            // table_info lists the insertable columns (generated and hidden columns are left out).
            info.CommandText = "SELECT name, type, \"notnull\", pk, dflt_value IS NOT NULL FROM pragma_table_info($t)";
            info.Parameters.AddWithValue("$t", name);
            using var reader = info.ExecuteReader();
            while (reader.Read())
                columns.Add(new SqliteColumnInfo(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, (int)reader.GetInt64(3), reader.GetInt64(4) != 0));
        }
        var uniqueKeys = new List<IReadOnlyList<string>>();
        var pkIndex = false;
        using (var indexes = connection.CreateCommand())
        {
            indexes.Transaction = transaction;
            // Full unique indexes only: a partial one does not make every row unique.
            indexes.CommandText = "SELECT il.name, il.origin FROM pragma_index_list($t) il WHERE il.\"unique\" = 1 AND il.partial = 0 ORDER BY il.seq DESC";
            indexes.Parameters.AddWithValue("$t", name);
            var found = new List<(string Name, string Origin)>();
            using (var reader = indexes.ExecuteReader())
                while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1)));
            foreach (var (index, origin) in found)
            {
                if (origin == "pk") { pkIndex = true; continue; }
                using var cols = connection.CreateCommand();
                cols.Transaction = transaction;
                cols.CommandText = "SELECT name FROM pragma_index_info($i) ORDER BY seqno";
                cols.Parameters.AddWithValue("$i", index);
                var names = new List<string>();
                using var reader = cols.ExecuteReader();
                while (reader.Read())
                {
                    if (reader.IsDBNull(0)) { names.Clear(); break; } // an expression index: not a column key
                    names.Add(reader.GetString(0));
                }
                if (names.Count > 0) uniqueKeys.Add(names);
            }
        }
        // The rowid alias (a lone INTEGER PRIMARY KEY, no index of its own): SQLite assigns it when left out.
        var keyColumns = columns.Where(c => c.PrimaryKeyPosition > 0).ToList();
        if (keyColumns.Count == 1 && !pkIndex && keyColumns[0].DeclaredType.Equals("INTEGER", StringComparison.OrdinalIgnoreCase))
            columns[columns.IndexOf(keyColumns[0])] = keyColumns[0] with { HasDefault = true };
        return new SqliteTableInfo(name, columns, uniqueKeys);
    }
}
