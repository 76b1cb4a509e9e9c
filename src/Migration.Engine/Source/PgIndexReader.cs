using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// One index of a Postgres table as pg_index holds it. <see cref="Attnums"/>,
/// <see cref="Definitions"/> and <see cref="ColumnNames"/> run over all columns, the
/// <see cref="KeyCount"/> keys first and the INCLUDE columns after; an expression key has attnum
/// 0 and no column name.
/// </summary>
public sealed record PgIndex(
    string Name,
    uint Oid,
    bool IsUnique,
    bool IsPrimary,
    bool IsValid,
    string Method,
    int KeyCount,
    IReadOnlyList<short> Attnums,
    IReadOnlyList<short> Options,
    IReadOnlyList<string> Definitions,
    IReadOnlyList<string?> ColumnNames,
    string? Predicate,
    string Definition)
{
    /// <summary>Whether every key and included column is a plain column (no expression).</summary>
    public bool IsOnColumnsOnly => Attnums.All(a => a != 0);

    /// <summary>The key columns' names, in key order (expression keys left out).</summary>
    public IReadOnlyList<string> KeyColumns => [.. ColumnNames.Take(KeyCount).Where(n => n is not null).Select(n => n!)];
}

/// <summary>
/// The one reader of pg_index: the schema export (definitions, with warnings for what SQLite
/// cannot take) and the integrity checks (which unique keys to look for in the target) both read
/// a table's indexes here, on the caller's connection and so inside its snapshot.
/// </summary>
public static class PgIndexReader
{
    /// <summary>Every index of the table with this oid, ordered by name.</summary>
    public static IReadOnlyList<PgIndex> Read(NpgsqlConnection connection, uint relationOid) =>
        Read(connection, "$1", new NpgsqlParameter { Value = relationOid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });

    /// <summary>Every index of the table <paramref name="qualifiedName"/> (quoted, as <see cref="Schema.SqlQuote.Qualified"/> gives it), ordered by name.</summary>
    public static IReadOnlyList<PgIndex> Read(NpgsqlConnection connection, string qualifiedName) =>
        Read(connection, "$1::regclass", new NpgsqlParameter { Value = qualifiedName });

    static List<PgIndex> Read(NpgsqlConnection connection, string relation, NpgsqlParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = new NpgsqlCommand($$"""
            SELECT ic.relname, i.indexrelid, i.indisunique, i.indisprimary, i.indisvalid, am.amname, i.indnkeyatts,
                   i.indkey::int2[], i.indoption::int2[],
                   array(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.o, true) FROM generate_series(1, i.indnatts::int) k(o) ORDER BY k.o)::text[],
                   array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text[],
                   pg_catalog.pg_get_expr(i.indpred, i.indrelid, true),
                   pg_catalog.pg_get_indexdef(i.indexrelid)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_am am ON am.oid = ic.relam
            WHERE i.indrelid = {{relation}}
            ORDER BY ic.relname
            """, connection);
        cmd.Parameters.Add(parameter);
        using var r = cmd.ExecuteReader();
        var list = new List<PgIndex>();
        while (r.Read())
            list.Add(new PgIndex(r.GetString(0), r.GetFieldValue<uint>(1), r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4), r.GetString(5),
                r.GetInt16(6), r.GetFieldValue<short[]>(7), r.GetFieldValue<short[]>(8), r.GetFieldValue<string[]>(9), r.GetFieldValue<string?[]>(10),
                r.IsDBNull(11) ? null : r.GetString(11), r.GetString(12)));
        return list;
    }
}
