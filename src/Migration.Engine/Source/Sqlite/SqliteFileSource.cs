using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Source.Sqlite;

/// <summary>
/// Reads a D1 database from a SQLite file (a D1 export, wrangler's local state file, any SQLite
/// database). Everything one source reads comes from one read transaction, i.e. one snapshot,
/// held from the constructor until <see cref="Dispose"/>. Rows carry D1 values exactly as
/// stored (<c>long</c>, <c>double</c>, <c>string</c>, <c>byte[]</c> or null: the storage class
/// of each value, not the column's declared type) in a <see cref="SchemaKind.D1"/> schema; the
/// reverse converter (<see cref="Convert.PgRowConverter"/>) maps them to Postgres types.
/// </summary>
/// <remarks>
/// Rows come in primary key order (a table without one: rowid order), and each row's
/// <see cref="Row.SourceKey"/> is that key (or its rowid), so a target can resume after a
/// checkpoint. The module's own journal tables (<c>d1_migration_*</c>), SQLite's internal
/// tables and D1's reserved <c>_cf_*</c> tables are never part of <c>-All</c>.
/// </remarks>
public sealed class SqliteFileSource : IRowSource
{
    readonly SqliteConnection _connection;
    readonly SqliteTransaction _snapshot;
    bool _disposed;

    /// <param name="path">The SQLite file's full path; it must exist (it is opened read-only).</param>
    public SqliteFileSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The SQLite file {path} does not exist.", path);
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ConnectionString);
        try
        {
            _connection.Open();
            // A deferred transaction takes its snapshot at the first read: read now, so every
            // table of this source is read from the same moment.
            _snapshot = _connection.BeginTransaction(deferred: true);
            using var probe = Command("SELECT count(*) FROM sqlite_schema");
            probe.ExecuteScalar();
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw new SqliteSourceException(null, $"{path} cannot be read as a SQLite database: {ex.Message}", ex);
        }
    }

    public string Path { get; }

    /// <summary>Every table a whole-database read takes (user tables only), in name order.</summary>
    public IReadOnlyList<string> TableNames()
    {
        using var cmd = Command("""
            SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
              AND name NOT LIKE 'd1\_migration\_%' ESCAPE '\'
            ORDER BY name
            """);
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    public IReadOnlyList<TableSchema> Describe(IEnumerable<string> tables, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var all = TableNames();
        var result = new List<TableSchema>();
        foreach (var typed in tables)
        {
            if (string.IsNullOrWhiteSpace(typed)) throw new ArgumentException("A table name is empty.", nameof(tables));
            var name = all.FirstOrDefault(t => string.Equals(t, typed, StringComparison.Ordinal))
                ?? all.SingleOrDefault(t => string.Equals(t, typed, StringComparison.OrdinalIgnoreCase))
                ?? throw new SqliteSourceException(typed, $"no such table in {Path}."
                    + (Preflight.NameSuggestion.Closest(typed, all) is { } near ? $" Did you mean {near}?" : ""));
            if (result.Any(t => t.SourceTable == name)) continue;
            result.Add(DescribeOne(name, columns));
        }
        return InSet(result, isLoadOrder: false);
    }

    public IReadOnlyList<TableSchema> DescribeAll(PgTableSelection selection, out IReadOnlyList<string> forwardReferences)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        using (var info = Command("SELECT name, type, \"notnull\", pk FROM pragma_table_info($t)"))
        {
            info.Parameters.AddWithValue("$t", table);
            using var r = info.ExecuteReader();
            while (r.Read())
            {
                var name = r.GetString(0);
                var pk = r.GetInt32(3);
                if (wanted is not null && pk == 0 && !wanted.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
                if (pk > 0) keyByPosition[pk] = columns.Count;
                columns.Add(new Column(name, null, Affinity(r.IsDBNull(1) ? "" : r.GetString(1)), isNullable: r.GetInt64(2) == 0 && pk == 0));
            }
        }
        if (wanted is not null)
            foreach (var w in wanted)
                if (!columns.Any(c => string.Equals(c.Name, w, StringComparison.OrdinalIgnoreCase)))
                    throw new SqliteSourceException(table, $"has no column \"{w}\".");

        var foreignKeys = new List<ForeignKeyDefinition>();
        using (var fk = Command("SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($t) ORDER BY id, seq"))
        {
            fk.Parameters.AddWithValue("$t", table);
            using var r = fk.ExecuteReader();
            var parts = new List<(long Id, string Parent, string From, string? To)>();
            while (r.Read()) parts.Add((r.GetInt64(0), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
            foreach (var g in parts.GroupBy(p => p.Id))
            {
                var parent = g.First().Parent;
                foreignKeys.Add(new ForeignKeyDefinition($"{table}_fk{g.Key}", [.. g.Select(p => p.From)], null, parent,
                    [.. g.Select(p => p.To ?? "")]));
            }
        }
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

    /// <summary>
    /// The rows of one table in key order (rowid order without a key), after <paramref name="afterKey"/>
    /// when given (the key's values, or the rowid). Lazy; values exactly as stored.
    /// </summary>
    public IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var keyColumns = table.HasPrimaryKey ? table.PrimaryKey.Select(k => SqlQuote.Identifier(table.Columns[k].Name)).ToList() : ["rowid"];
        var select = SqlQuote.Identifiers(table.Columns.Select(c => c.Name));
        var keyList = string.Join(", ", keyColumns);
        // A key's values are among the row's (the key is always selected): read once, not twice.
        // Only a table without a key reads its rowid after the columns.
        var sql = $"SELECT {select}{(table.HasPrimaryKey ? "" : ", rowid")} FROM {SqlQuote.Identifier(table.SourceTable)}";
        if (afterKey is { Count: > 0 })
        {
            if (afterKey.Count != keyColumns.Count) throw new ArgumentException($"Table {table.Name}: the key after which to start has {afterKey.Count} values, the key {keyColumns.Count}.", nameof(afterKey));
            sql += $" WHERE ({keyList}) > ({string.Join(", ", afterKey.Select((_, i) => "$k" + i))})";
        }
        sql += $" ORDER BY {keyList}";
        return Read(table, sql, afterKey, keyColumns.Count, progress);
    }

    IEnumerable<Row> Read(TableSchema table, string sql, IReadOnlyList<object?>? afterKey, int keyCount, Action<ExportProgress>? progress)
    {
        using var cmd = Command(sql);
        if (afterKey is not null)
            for (var i = 0; i < afterKey.Count; i++) cmd.Parameters.AddWithValue("$k" + i, afterKey[i] ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var n = table.Columns.Count;
        var keyAt = table.HasPrimaryKey ? [.. table.PrimaryKey] : new[] { n }; // the rowid follows the columns
        long done = 0;
        while (r.Read())
        {
            var values = new object?[n];
            for (var i = 0; i < n; i++) values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            var key = new object?[keyCount];
            for (var i = 0; i < keyCount; i++) key[i] = keyAt[i] < n ? values[keyAt[i]] : r.GetValue(n);
            done++;
            if (progress is not null && done % PgExporter.ProgressInterval == 0) progress(new ExportProgress(table.Name, done, -1));
            yield return new Row(table, values) { SourceKey = key };
        }
        progress?.Invoke(new ExportProgress(table.Name, done, done));
    }

    /// <summary>A command inside this source's snapshot (the declared-schema reader uses it too).</summary>
    internal SqliteCommand Command(string sql)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = _snapshot;
        cmd.CommandText = sql;
        return cmd;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _snapshot.Dispose();
        _connection.Dispose();
    }
}

/// <summary>A D1/SQLite source problem (no such table or column, not a database), naming the table.</summary>
public sealed class SqliteSourceException(string? table, string message, Exception? inner = null)
    : Exception(table is null ? message : $"Table {table}: {message}", inner)
{
    public string? Table { get; } = table;
}
