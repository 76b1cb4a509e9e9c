using System.Globalization;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// Names the key behind SQLite's bare "FOREIGN KEY constraint failed" when the rows carry no
/// definition to do it (plain objects, a KV export, rows into a table made by a wrangler
/// migration): from the foreign keys the target table declares, the first one whose values are
/// all non-NULL and whose parent row is missing. A key that cannot be looked up (its parent
/// table or columns are gone) is skipped; when none is found the refusal stays SQLite's own.
/// </summary>
internal sealed class ForeignKeyFailure
{
    sealed record Key(string Parent, string[] Columns, string[] ParentColumns);

    readonly List<Key> _keys;

    ForeignKeyFailure(List<Key> keys) => _keys = keys;

    /// <summary>The table's declared foreign keys (read once per table, on first failure).</summary>
    public static ForeignKeyFailure Read(SqliteConnection connection, SqliteTransaction transaction, string table)
    {
        var keys = new List<Key>();
        foreach (var fk in SqliteForeignKeys.Read(connection, transaction, table))
        {
            // REFERENCES parent without columns means the parent's primary key.
            string[] parentColumns = fk.ParentColumns.All(c => c is not null) ? [.. fk.ParentColumns.Select(c => c!)] : [.. SqliteTableInfo.Read(connection, fk.ParentTable, transaction)?.PrimaryKey ?? []];
            if (parentColumns.Length == fk.Columns.Count) keys.Add(new Key(fk.ParentTable, [.. fk.Columns], parentColumns));
        }
        return new ForeignKeyFailure(keys);
    }

    /// <summary>
    /// The error for a row SQLite refused with a FOREIGN KEY failure, naming the key's columns,
    /// the parent and the values; null when no declared key explains it.
    /// </summary>
    public RowError? Explain(SqliteConnection connection, SqliteTransaction transaction, TableBinding binding, Row row, object?[] sent)
    {
        foreach (var key in _keys)
        {
            var values = new object?[key.Columns.Length];
            var complete = true;
            for (var i = 0; i < key.Columns.Length && complete; i++)
            {
                var ordinal = binding.Schema.IndexOf(key.Columns[i]);
                values[i] = ordinal >= 0 ? sent[ordinal] : null;
                complete = values[i] is not null; // MATCH SIMPLE: a NULL in the key is not checked
            }
            if (!complete || ParentExists(connection, transaction, key, values) != false) continue;
            var shown = string.Join(", ", values.Select(v => ValueExcerpt.Of(v)));
            return new RowError(binding.Table, row.DescribeKey(), string.Join(", ", key.Columns),
                string.Create(CultureInfo.InvariantCulture,
                    $"FOREIGN KEY constraint failed: no row of {key.Parent} has ({string.Join(", ", key.ParentColumns)}) = ({shown})"),
                shown);
        }
        return null;
    }

    /// <summary>Whether the parent row exists; null when the lookup itself fails (parent table or column gone).</summary>
    static bool? ParentExists(SqliteConnection connection, SqliteTransaction transaction, Key key, object?[] values)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT EXISTS (SELECT 1 FROM " + SqlQuote.Identifier(key.Parent) + " WHERE "
            + string.Join(" AND ", key.ParentColumns.Select((c, i) => SqlQuote.Identifier(c) + " = $v" + i.ToString(CultureInfo.InvariantCulture))) + ")";
        for (var i = 0; i < values.Length; i++) cmd.Parameters.AddWithValue("$v" + i.ToString(CultureInfo.InvariantCulture), values[i]);
        try
        {
            return (long)cmd.ExecuteScalar()! != 0;
        }
        catch (SqliteException)
        {
            return null;
        }
    }
}
