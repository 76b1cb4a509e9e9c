using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// Reads the D1 schema of a table that already exists in a SQLite file, so plain objects can be
/// coerced to the types the table will store them as (ConvertTo-D1Row).
/// </summary>
public static class SqliteSchemaReader
{
    /// <summary>
    /// The table's D1 schema from <c>PRAGMA table_info</c>: columns in table order, NOT NULL, and
    /// the primary key in key order. Null when the file or the table does not exist; the file is
    /// opened read-only and never created.
    /// </summary>
    /// <remarks>
    /// The D1 type follows SQLite's affinity: INTEGER, TEXT, REAL as declared; BLOB for a BLOB
    /// column and for a column declared without a type (SQLite stores its values unchanged).
    /// NUMERIC-affinity declarations have no D1 type of their own: names containing BOOL map to
    /// Integer (0/1), names containing DATE or TIME to Text (ISO-8601, which SQLite leaves as
    /// text), and everything else (NUMERIC, DECIMAL) to Real.
    /// </remarks>
    public static TableSchema? ReadTableSchema(string path, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(table);
        if (!File.Exists(path)) return null;

        using var connection = SqliteTarget.OpenConnection(path, readOnly: true);
        var info = SqliteTableInfo.Read(connection, table);
        if (info is null) return null;
        return ToSchema(info);
    }

    internal static TableSchema ToSchema(SqliteTableInfo info)
    {
        var columns = info.Columns.Select(c => new Column(c.Name, null, D1TypeOf(c), !c.NotNull && c.PrimaryKeyPosition == 0) { HasDefault = c.HasDefault }).ToList();
        var key = info.Columns
            .Select((c, i) => (c.PrimaryKeyPosition, Ordinal: i))
            .Where(p => p.PrimaryKeyPosition > 0)
            .OrderBy(p => p.PrimaryKeyPosition)
            .Select(p => p.Ordinal)
            .ToList();
        var ordinal = info.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.OrdinalIgnoreCase);
        return new TableSchema(SchemaKind.D1, null, info.Name, info.Name, columns, key)
        {
            UniqueKeys = [.. info.UniqueKeys.Select(k => (IReadOnlyList<int>)[.. k.Select(n => ordinal[n])])],
        };
    }

    internal static D1Type D1TypeOf(SqliteColumnInfo column) => column.Affinity switch
    {
        SqliteAffinity.Integer => D1Type.Integer,
        SqliteAffinity.Text => D1Type.Text,
        SqliteAffinity.Real => D1Type.Real,
        SqliteAffinity.Blob => D1Type.Blob,
        _ => NumericD1Type(column.DeclaredType.ToUpperInvariant()),
    };

    static D1Type NumericD1Type(string declared) =>
        declared.Contains("BOOL", StringComparison.Ordinal) ? D1Type.Integer
        : declared.Contains("DATE", StringComparison.Ordinal) || declared.Contains("TIME", StringComparison.Ordinal) ? D1Type.Text
        : D1Type.Real;
}
