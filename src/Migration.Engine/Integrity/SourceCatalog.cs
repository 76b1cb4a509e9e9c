using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;

namespace Migration.Engine.Integrity;

/// <summary>An index of a source table: its key columns (source names) in order.</summary>
/// <param name="IsPartial">Has a WHERE predicate: its uniqueness holds only for some rows.</param>
sealed record SourceIndex(string Name, IReadOnlyList<string> Columns, bool IsUnique, bool IsPrimary, bool IsPartial);

/// <summary>
/// The parts of the Postgres catalog the checks need beyond a <see cref="TableSchema"/>: indexes
/// and unique keys (Schema, Unique) and enum labels (Domain). Read on the exporter's connection,
/// inside its snapshot.
/// </summary>
static class SourceCatalog
{
    /// <summary>Column indexes only: an index on an expression has no column list to look for in the target.</summary>
    public static IReadOnlyList<SourceIndex> Indexes(NpgsqlConnection db, TableSchema source) =>
        [.. PgIndexReader.Read(db, QualifiedName(source))
            .Where(ix => ix.IsOnColumnsOnly)
            .Select(ix => new SourceIndex(ix.Name, ix.KeyColumns, ix.IsUnique, ix.IsPrimary, ix.Predicate is not null))];

    /// <summary>Source column name -> its enum's labels, for every enum-typed column of the table.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> EnumLabels(NpgsqlConnection db, TableSchema source)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT a.attname,
                   array(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[]
              FROM pg_attribute a
              JOIN pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'e'
            """, db);
        cmd.Parameters.AddWithValue(QualifiedName(source));
        using var r = cmd.ExecuteReader();
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (r.Read()) map[r.GetString(0)] = r.GetFieldValue<string[]>(1);
        return map;
    }

    /// <summary>The table as a regclass literal: each part quoted, so any characters in names are safe.</summary>
    public static string QualifiedName(TableSchema t)
        => SqlQuote.Qualified(t.SourceSchema, t.SourceTable);
}
