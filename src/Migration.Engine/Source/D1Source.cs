using Migration.Engine.Schema;
using Migration.Engine.Source.Sqlite;

namespace Migration.Engine.Source;

/// <summary>
/// What every D1 source shares, wherever the database lives: the catalog read through SQLite's
/// own SQL (<c>sqlite_schema</c>, <c>pragma_table_info</c>, <c>pragma_foreign_key_list</c>),
/// the tables of a whole-database read, their description as <see cref="SchemaKind.D1"/> schemas
/// with keys and foreign keys, and the load order (parents first). A subclass says how one
/// catalog query runs (<see cref="Query"/>) and how a table's rows are read in key order
/// (<see cref="Export"/>): <see cref="Sqlite.SqliteFileSource"/> (a file, one read transaction)
/// and <see cref="RemoteD1.RemoteD1Source"/> (a remote D1 over the API, keyset pages).
/// </summary>
/// <remarks>
/// Rows carry D1 values exactly as stored (<c>long</c>, <c>double</c>, <c>string</c>,
/// <c>byte[]</c> or null: the storage class of each value, not the column's declared type), in
/// primary key order (a table without one: rowid order), each with <see cref="Row.SourceKey"/>
/// set to that key (or its rowid), so a target can resume after a checkpoint whichever source
/// read the rows. The module's journal tables (<c>d1_migration_*</c>), SQLite's internal tables
/// and D1's reserved <c>_cf_*</c> tables are never part of <c>-All</c>.
/// </remarks>
public abstract class D1Source : IRowSource
{
    /// <param name="location">How messages name the database: a file path, or <c>d1://name/uuid</c>.</param>
    protected D1Source(string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        Location = location;
    }

    /// <summary>How messages name the database: a file path, or <c>d1://name/uuid</c>.</summary>
    public string Location { get; }

    /// <summary>
    /// Runs one catalog query: <paramref name="template"/>'s <c>{0}</c>, <c>{1}</c>... are bound
    /// to <paramref name="values"/> (as <see cref="Cloudflare.D1Statement.Of"/> writes them).
    /// Rows as arrays of null/long/double/string/byte[].
    /// </summary>
    protected abstract IReadOnlyList<object?[]> Query(string template, params object?[] values);

    /// <summary>
    /// The rows of one table in key order (rowid order without a key), after <paramref name="afterKey"/>
    /// when given (the key's values, or the rowid). Lazy; values exactly as stored.
    /// </summary>
    public abstract IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null);

    /// <summary>Every table a whole-database read takes (user tables only), in name order.</summary>
    public IReadOnlyList<string> TableNames() =>
        [.. Query("""
            SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
              AND name NOT LIKE 'd1\_migration\_%' ESCAPE '\'
            ORDER BY name
            """).Select(r => (string)r[0]!)];

    public IReadOnlyList<TableSchema> Describe(IEnumerable<string> tables, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var all = TableNames();
        var result = new List<TableSchema>();
        foreach (var typed in tables)
        {
            if (string.IsNullOrWhiteSpace(typed)) throw new ArgumentException("A table name is empty.", nameof(tables));
            var name = all.FirstOrDefault(t => string.Equals(t, typed, StringComparison.Ordinal))
                ?? all.SingleOrDefault(t => string.Equals(t, typed, StringComparison.OrdinalIgnoreCase))
                ?? throw new SqliteSourceException(typed, $"no such table in {Location}."
                    + (Preflight.NameSuggestion.Closest(typed, all) is { } near ? $" Did you mean {near}?" : ""));
            if (result.Any(t => t.SourceTable == name)) continue;
            result.Add(DescribeOne(name, columns));
        }
        return InSet(result, isLoadOrder: false);
    }

    /// <summary>
    /// The tables a whole-database or named read takes, as Export-D1Table, Export-PgSchema and the
    /// CLI choose them: without <paramref name="all"/>, the named tables (a name that matches none
    /// is an error with the closest real name); with it, every user table in load order, narrowed
    /// by <paramref name="tables"/> patterns and without <paramref name="exclude"/> patterns, where
    /// a pattern that matches no table is a typo, never an empty read. The spelling of the options
    /// in messages is the caller's (<c>-Table</c> or <c>--table</c>).
    /// </summary>
    public IReadOnlyList<TableSchema> Choose(bool all, IReadOnlyList<string> tables, IReadOnlyList<string>? exclude, string verb,
        out IReadOnlyList<string> forwardReferences, string tableOption = "-Table", string excludeOption = "-ExcludeTable")
    {
        ArgumentNullException.ThrowIfNull(tables);
        forwardReferences = [];
        if (!all) return Describe(tables);
        var names = TableNames();
        foreach (var (option, patterns) in new[] { (tableOption, tables), (excludeOption, exclude ?? []) })
            foreach (var pattern in patterns)
                if (!names.Any(n => Wildcard.Matches(pattern, n)))
                    throw new ArgumentException($"{option} \"{pattern}\" matches no table of {Location}"
                        + (Preflight.NameSuggestion.Closest(pattern, names) is { } near ? $" (did you mean {near}?)" : "") + $"; nothing was {verb}.");
        return DescribeAll(new PgTableSelection(Tables: tables.Count > 0 ? tables : null, ExcludeTables: exclude), out forwardReferences);
    }

    public IReadOnlyList<TableSchema> DescribeAll(PgTableSelection selection, out IReadOnlyList<string> forwardReferences)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var tables = TableNames().Where(t => selection.Includes("main", t)).Select(t => DescribeOne(t, null)).ToList();
        // A foreign key to a table the selection leaves out is no ordering constraint.
        var (order, forward) = TableOrder.Sort(tables);
        forwardReferences = forward;
        return InSet([.. order], isLoadOrder: true);
    }

    static List<TableSchema> InSet(List<TableSchema> tables, bool isLoadOrder)
    {
        var members = new List<TableSchema>(tables.Count);
        var set = new TableSet(() => members) { IsLoadOrder = isLoadOrder };
        members.AddRange(tables.Select(t => new TableSchema(t.Kind, t.SourceSchema, t.SourceTable, t.Name, t.Columns, t.PrimaryKey)
        {
            Definition = t.Definition!.InSet(set),
        }));
        return members;
    }

    TableSchema DescribeOne(string table, IReadOnlyCollection<string>? wanted)
    {
        var columns = new List<Column>();
        var keyByPosition = new SortedDictionary<int, int>();
        foreach (var r in Query("SELECT name, type, \"notnull\", pk FROM pragma_table_info({0}) ORDER BY cid", table))
        {
            var name = (string)r[0]!;
            var pk = (int)System.Convert.ToInt64(r[3], System.Globalization.CultureInfo.InvariantCulture);
            if (wanted is not null && pk == 0 && !wanted.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            if (pk > 0) keyByPosition[pk] = columns.Count;
            var notNull = System.Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture) != 0;
            columns.Add(new Column(name, null, Affinity(r[1] as string ?? ""), isNullable: !notNull && pk == 0));
        }
        if (wanted is not null)
            foreach (var w in wanted)
                if (!columns.Any(c => string.Equals(c.Name, w, StringComparison.OrdinalIgnoreCase)))
                    throw new SqliteSourceException(table, $"has no column \"{w}\".");

        var foreignKeys = new List<ForeignKeyDefinition>();
        var parts = Query("SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list({0}) ORDER BY id, seq", table)
            .Select(r => (Id: System.Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture), Parent: (string)r[2]!, From: (string)r[3]!, To: r[4] as string))
            .ToList();
        foreach (var g in parts.GroupBy(p => p.Id))
            foreignKeys.Add(new ForeignKeyDefinition($"{table}_fk{g.Key}", [.. g.Select(p => p.From)], null, g.First().Parent, [.. g.Select(p => p.To ?? "")]));
        var key = keyByPosition.Values.ToList();
        var definition = new TableDefinition(
            [.. columns.Select(c => new ColumnDefinition(c.Name))],
            key.Count > 0 ? new KeyDefinition($"{table}_pkey", [.. key.Select(k => columns[k].Name)]) : null,
            foreignKeys: foreignKeys);
        return new TableSchema(SchemaKind.D1, null, table, table, columns, key) { Definition = definition };
    }

    /// <summary>SQLite's affinity rules (datatype3.html, 3.1), in their order.</summary>
    internal static D1Type Affinity(string declared)
    {
        var t = declared.ToUpperInvariant();
        if (t.Contains("INT", StringComparison.Ordinal)) return D1Type.Integer;
        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal)) return D1Type.Text;
        if (t.Length == 0 || t.Contains("BLOB", StringComparison.Ordinal)) return D1Type.Blob;
        return D1Type.Real; // REAL, FLOA, DOUB; NUMERIC affinity holds integers and reals alike
    }

    /// <summary>The key a table's rows are ordered and resumed by: its primary key's columns (quoted), or <c>rowid</c>.</summary>
    protected static IReadOnlyList<string> KeyColumns(TableSchema table) =>
        table.HasPrimaryKey ? [.. table.PrimaryKey.Select(k => SqlQuote.Identifier(table.Columns[k].Name))] : ["rowid"];

    protected abstract void Dispose(bool disposing);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
