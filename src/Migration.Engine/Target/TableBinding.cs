using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// How the rows of one row schema go into one table: the INSERT text and, per row-schema
/// column, whether the table forbids NULL there and the affinity SQLite will apply. Built once
/// per schema; every table-level refusal happens here, before any row is written.
/// </summary>
internal sealed class TableBinding
{
    TableBinding(string table, TableSchema schema, string insertSql, bool[] notNull, SqliteAffinity[] affinity, IReadOnlyList<string> conflictKey)
    {
        Table = table;
        Schema = schema;
        InsertSql = insertSql;
        NotNull = notNull;
        Affinity = affinity;
        ConflictKey = conflictKey;
    }

    /// <summary>The table's name as stored.</summary>
    public string Table { get; }
    public TableSchema Schema { get; }
    public string InsertSql { get; }
    /// <summary>Per row-schema ordinal: NOT NULL in the table, or part of its primary key.</summary>
    public bool[] NotNull { get; }
    public SqliteAffinity[] Affinity { get; }
    /// <summary>The key an existing row is matched on (Upsert's conflict target); may be empty for other modes.</summary>
    public IReadOnlyList<string> ConflictKey { get; }

    /// <summary>What D1 refuses for any table, checked before one is created or written to.</summary>
    public static void CheckD1Limits(TableSchema schema, D1Limits limits)
    {
        if (schema.Name.StartsWith("_cf_", StringComparison.OrdinalIgnoreCase))
            throw new TargetSchemaException(schema.Name, "names beginning with _cf_ are reserved by D1.");
        if (schema.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
            throw new TargetSchemaException(schema.Name, "names beginning with sqlite_ are reserved by SQLite.");
        if (schema.Columns.Count == 0)
            throw new TargetSchemaException(schema.Name, "the rows have no columns.");
        if (schema.Columns.Count > limits.MaxColumns)
            throw new TargetSchemaException(schema.Name, $"{schema.Columns.Count} columns, over D1's limit of {limits.MaxColumns} columns per table.");
    }

    public static TableBinding Create(TableSchema schema, SqliteTableInfo table, OnConflict mode)
    {
        var notNull = new bool[schema.Columns.Count];
        var affinity = new SqliteAffinity[schema.Columns.Count];
        var missing = new List<string>();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var target = table.Find(schema.Columns[i].Name);
            if (target is null) { missing.Add(schema.Columns[i].Name); continue; }
            // SQLite lets a non-INTEGER key column hold NULL and invents a rowid for a NULL
            // INTEGER PRIMARY KEY: either way the row would not be the one sent.
            notNull[i] = target.NotNull || target.PrimaryKeyPosition > 0;
            affinity[i] = target.Affinity;
        }
        if (missing.Count > 0)
            throw new TargetSchemaException(table.Name,
                $"the existing table has no column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => "\"" + m + "\""))}; add {(missing.Count > 1 ? "them" : "it")} or rename/exclude {(missing.Count > 1 ? "those" : "that")} column{(missing.Count > 1 ? "s" : "")}.", "Exclude");

        IReadOnlyList<string> conflictKey = schema.HasPrimaryKey
            ? [.. schema.PrimaryKey.Select(k => schema.Columns[k].Name)]
            : table.PrimaryKey;
        if (mode is OnConflict.Ignore or OnConflict.Upsert && !schema.HasPrimaryKey && table.PrimaryKey.Count > 0
            && !table.HasKeyWithin(schema.Columns.Select(c => c.Name)))
            // The rows leave out the table's key (a rowid SQLite assigns) and carry no UNIQUE key
            // either: nothing could ever conflict, so a re-run would append every row again.
            throw new TargetSchemaException(table.Name,
                $"-OnConflict {mode} cannot keep a re-run from adding the rows again: the rows leave out the table's key ({string.Join(", ", table.PrimaryKey)}, assigned by SQLite) "
                + "and carry no UNIQUE key. Add a UNIQUE constraint on columns the rows carry (e.g. the KV key's fields and a natural key of the value), or load once with -OnConflict Abort.", "OnConflict");
        if (mode == OnConflict.Upsert)
        {
            if (conflictKey.Count == 0)
                throw new TargetSchemaException(table.Name, "Upsert needs a primary key to match existing rows on, and neither the rows nor the table have one.", "OnConflict");
            var absent = conflictKey.Where(k => schema.IndexOf(k) < 0).ToList();
            if (absent.Count > 0)
                throw new TargetSchemaException(table.Name, $"Upsert matches on the key ({string.Join(", ", conflictKey)}) but the rows do not carry {string.Join(", ", absent)}.", "OnConflict");
            // SQLite refuses an ON CONFLICT target that is not a key of the table, for every row.
            if (!table.HasKeyExactly(conflictKey))
                throw new TargetSchemaException(table.Name,
                    $"Upsert matches on the rows' key ({string.Join(", ", conflictKey)}), but the table has no PRIMARY KEY or UNIQUE constraint on exactly those columns"
                    + $" (its keys: {Keys(table)}): no row could be matched. Add a UNIQUE index on ({string.Join(", ", conflictKey)}), or use -OnConflict Ignore or Replace.", "OnConflict");
        }

        var sql = SqliteSql.Insert(table.Name, [.. schema.Columns.Select(c => c.Name)], mode, conflictKey);
        return new TableBinding(table.Name, schema, sql, notNull, affinity, conflictKey);
    }

    static string Keys(SqliteTableInfo table)
    {
        var keys = (table.PrimaryKey.Count > 0 ? [table.PrimaryKey] : Array.Empty<IReadOnlyList<string>>()).Concat(table.UniqueKeys)
            .Select(k => "(" + string.Join(", ", k) + ")").ToList();
        return keys.Count == 0 ? "none" : string.Join(", ", keys);
    }
}
