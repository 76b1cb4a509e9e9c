using Microsoft.Data.Sqlite;

namespace Migration.Engine.Target;

/// <summary>One column of an existing SQLite table, as <c>PRAGMA table_info</c> reports it.</summary>
internal sealed record SqliteColumnInfo(string Name, string DeclaredType, bool NotNull, int PrimaryKeyPosition)
{
    public SqliteAffinity Affinity { get; } = SqliteAffinityRules.Of(DeclaredType);
}

/// <summary>An existing SQLite table: its name as stored and its insertable columns.</summary>
internal sealed class SqliteTableInfo
{
    SqliteTableInfo(string name, IReadOnlyList<SqliteColumnInfo> columns)
    {
        Name = name;
        Columns = columns;
        PrimaryKey = [.. columns.Where(c => c.PrimaryKeyPosition > 0).OrderBy(c => c.PrimaryKeyPosition).Select(c => c.Name)];
    }

    public string Name { get; }
    public IReadOnlyList<SqliteColumnInfo> Columns { get; }
    /// <summary>Primary key column names in key order; empty when the table has none.</summary>
    public IReadOnlyList<string> PrimaryKey { get; }

    /// <summary>The column of that name (SQLite names are case-insensitive), or null.</summary>
    public SqliteColumnInfo? Find(string column)
    {
        foreach (var c in Columns)
            if (string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
                return c;
        return null;
    }

    /// <summary>A table described elsewhere (a remote D1's <c>pragma_table_info</c>).</summary>
    public static SqliteTableInfo Of(string name, IReadOnlyList<SqliteColumnInfo> columns) => new(name, columns);

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
        using var info = connection.CreateCommand();
        info.Transaction = transaction;
        // table_info lists the insertable columns (generated and hidden columns are left out).
        info.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info($t)";
        info.Parameters.AddWithValue("$t", name);
        using var reader = info.ExecuteReader();
        while (reader.Read())
            columns.Add(new SqliteColumnInfo(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, (int)reader.GetInt64(3)));
        return new SqliteTableInfo(name, columns);
    }
}
