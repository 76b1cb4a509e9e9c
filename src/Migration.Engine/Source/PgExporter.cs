using System.Globalization;
using System.Text;
using Migration.Engine.Schema;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>Progress of one table's export.</summary>
public sealed record ExportProgress(string Table, long RowsDone, long EstimatedTotal);

/// <summary>
/// Streams tables out of Postgres by binary COPY. Everything one exporter reads comes from one
/// REPEATABLE READ, READ ONLY transaction, so several tables form one consistent snapshot.
/// Memory stays flat: rows are produced one at a time as COPY delivers them.
/// </summary>
/// <remarks>
/// One connection, so one export at a time: finish or dispose one table's enumerator before
/// starting the next. Every export runs under a savepoint, so a failed or abandoned export
/// leaves the transaction (and its snapshot) usable for the next table.
/// </remarks>
public sealed class PgExporter : IRowSource
{
    /// <summary>Rows between two progress reports.</summary>
    public const int ProgressInterval = 10_000;

    const string ExportSavepoint = "migration_export";

    readonly PgConnectionSettings _settings;
    readonly NpgsqlConnection _connection;
    readonly PgCatalogReader _catalog;
    readonly PgDefinitionReader _definitions;
    bool _busy;
    bool _disposed;
    bool? _moneyChecked;

    public PgExporter(PgConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _connection = settings.OpenConnection();
        InlineSocketCompletions.TryEnable(_connection); // read synchronously only, by one thread at a time
        try
        {
            // Session settings make every text form this module reads deterministic; then one
            // snapshot for the exporter's whole life. The SELECT right after BEGIN is what takes
            // the snapshot (Postgres takes it at the transaction's first query, not at BEGIN).
            Execute("""
                SET TimeZone = 'UTC';
                SET DateStyle = 'ISO, YMD';
                SET IntervalStyle = 'iso_8601';
                SET bytea_output = 'hex';
                SET extra_float_digits = 1;
                SET client_encoding = 'UTF8';
                SET standard_conforming_strings = on;
                BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
                """);
            // txid_current_snapshot (not pg_current_snapshot, PostgreSQL 13+) names the snapshot for -Verbose.
            using var check = new NpgsqlCommand("SELECT current_setting('standard_conforming_strings'), txid_current_snapshot()::text, current_setting('server_version')", _connection);
            using (var reader = check.ExecuteReader())
            {
                reader.Read();
                // Key literals in COPY statements double quotes and leave backslashes alone: only safe when this holds.
                if (reader.GetString(0) != "on")
                    throw new PgSourceException(null, $"standard_conforming_strings cannot be turned on at {settings.Describe()}.");
                Snapshot = reader.GetString(1);
                ServerVersion = reader.GetString(2);
            }
        }
        catch (PgSourceException)
        {
            _connection.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            _connection.Dispose();
            throw new PgSourceException(null, $"Cannot start a read-only snapshot on {settings.Describe()}: {settings.Redact(PgConnectionSettings.Flatten(ex))}", settings.SafeInner(ex));
        }
        _catalog = new PgCatalogReader(_connection);
        _definitions = new PgDefinitionReader(_connection, _catalog);
    }

    /// <summary>
    /// Reads the catalog for the named tables (<c>name</c>, <c>schema.name</c>, quoted names with
    /// any characters). <paramref name="columns"/> limits the columns (null: all).
    /// </summary>
    /// <remarks>
    /// Names are resolved as psql resolves them: unquoted parts fold to lower case, an
    /// unqualified name is looked up in the search_path. Columns keep the table's order; a
    /// requested column matches exactly, else case-insensitively when that is unambiguous.
    /// The primary key must be among the chosen columns (keyset paging and row errors need it).
    /// <see cref="TableSchema.Name"/> is the bare table name for tables in <c>public</c>, else
    /// <c>schema.table</c>, so two tables of the same name in two schemas never merge.
    /// </remarks>
    public IReadOnlyList<TableSchema> Describe(IEnumerable<string> tables, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ThrowIfUnusable();
        if (columns is { Count: 0 }) throw new ArgumentException("The column list is empty; pass null for all columns.", nameof(columns));
        var result = new List<TableSchema>();
        var seen = new HashSet<uint>();
        foreach (var typed in tables)
        {
            if (string.IsNullOrWhiteSpace(typed)) throw new ArgumentException("A table name is empty.", nameof(tables));
            try
            {
                var schema = DescribeOne(typed.Trim(), columns, seen);
                if (schema is not null) result.Add(schema);
            }
            catch (NpgsqlException ex)
            {
                throw new PgSourceException(typed, $"reading the catalog failed: {_settings.Redact(PgConnectionSettings.Flatten(ex))}", _settings.SafeInner(ex));
            }
        }
        // The tables of one call know each other (in the order named, not a load order), so a
        // cmdlet downstream can check the mapping against all of them before the first row.
        var members = new List<TableSchema>(result.Count);
        var set = new TableSet(() => members) { IsLoadOrder = false };
        members.AddRange(result.Select(t => t.Definition is null ? t
            : t.WithDefinition(t.Definition.InSet(set))));
        return members;
    }

    TableSchema? DescribeOne(string typed, IReadOnlyCollection<string>? columns, HashSet<uint> seen)
    {
        var rel = _catalog.Resolve(typed) ?? throw new PgSourceException(typed,
            "no such table or view. Names are read as psql reads them: unquoted names fold to lower case and are looked up in the search_path; quote a mixed-case name, e.g. '\"MyTable\"' or 'sales.\"MyTable\"'.");
        if (!seen.Add(rel.Oid)) return null;
        var display = rel.Schema + "." + rel.Name;
        if (rel.Kind is not ('r' or 'p' or 'v' or 'm' or 'f'))
            throw new PgSourceException(display, "is not a table, view or materialized view.");

        var all = _catalog.Columns(rel.Oid);
        var chosen = new bool[all.Count];
        if (columns is null) Array.Fill(chosen, true);
        else
        {
            foreach (var want in columns)
            {
                var i = all.FindIndex(c => string.Equals(c.Name, want, StringComparison.Ordinal));
                if (i < 0)
                {
                    var folded = all.FindAll(c => string.Equals(c.Name, want, StringComparison.OrdinalIgnoreCase));
                    if (folded.Count == 1) i = all.IndexOf(folded[0]);
                }
                if (i < 0) throw new PgSourceException(display, $"has no column \"{want}\".");
                chosen[i] = true;
            }
        }

        var list = new List<Column>();
        var ordinalOfAttnum = new Dictionary<short, int>();
        for (var i = 0; i < all.Count; i++)
        {
            if (!chosen[i]) continue;
            var c = all[i];
            var type = _catalog.Classify(c.TypeOid, c.Typmod, c.FormatName);
            ordinalOfAttnum[c.AttNum] = list.Count;
            list.Add(new Column(c.Name, type, Convert.PgToD1CastRules.DefaultD1Type(type), isNullable: !c.NotNull));
        }

        // The full definition comes from the same snapshot. A domain's NOT NULL forbids NULL as
        // surely as the column's own, so the column says so too.
        var domainNotNull = new HashSet<string>(StringComparer.Ordinal);
        var definition = _definitions.Read(rel.Oid, display, list, domainNotNull);
        if (domainNotNull.Count > 0)
            list = [.. list.Select(c => domainNotNull.Contains(c.Name) && c.IsNullable ? new Column(c.Name, c.PgType, c.D1Type, isNullable: false) : c)];
        if (rel.Kind is 'r' or 'p' && _catalog.PrimaryKey(rel.Oid).Length == 0)
            definition = definition.With(definition.ForeignKeys, [new SchemaWarning(display, "Table", display,
                "no primary key: it is exported in no particular order, and resuming or -OnConflict Upsert need a key.")]);

        var key = new List<int>();
        foreach (var attnum in _catalog.PrimaryKey(rel.Oid))
        {
            if (!ordinalOfAttnum.TryGetValue(attnum, out var ordinal))
                throw new PgSourceException(display, $"the column list leaves out primary key column \"{all.Find(c => c.AttNum == attnum).Name}\"; include it (resuming and row errors need the key).");
            key.Add(ordinal);
        }

        if (list.Any(c => c.PgType!.Family == PgTypeFamily.Money))
        {
            _moneyChecked ??= _catalog.MoneyHasTwoFractionDigits();
            if (_moneyChecked == false)
                throw new PgSourceException(display, "money values here do not have two fraction digits (lc_monetary); cast the column to numeric in a view and export that.");
        }

        var name = rel.Schema == "public" ? rel.Name : display;
        return new TableSchema(SchemaKind.Postgres, rel.Schema, rel.Name, name, list, key) { Definition = definition, EstimatedRows = _catalog.EstimatedRows(rel.Oid) };
    }

    /// <summary>
    /// Every table <paramref name="selection"/> takes, described, in foreign-key dependency order
    /// (parents first; see <see cref="TableOrder"/>). A foreign key to a table the selection
    /// leaves out is dropped from the definition with a warning: its parent rows will not be there.
    /// <paramref name="forwardReferences"/> gets the foreign keys that point forward in the order
    /// (cycles), which the target loads NULL first and fills in afterwards.
    /// </summary>
    public IReadOnlyList<TableSchema> DescribeAll(PgTableSelection selection, out IReadOnlyList<string> forwardReferences)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ThrowIfUnusable();
        var names = new List<(string Schema, string Table)>();
        try
        {
            using var cmd = new NpgsqlCommand("""
                SELECT n.nspname, c.relname
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
                """, _connection);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                if (selection.Includes(r.GetString(0), r.GetString(1))) names.Add((r.GetString(0), r.GetString(1)));
        }
        catch (NpgsqlException ex)
        {
            throw new PgSourceException(null, $"listing the tables failed: {_settings.Redact(PgConnectionSettings.Flatten(ex))}", _settings.SafeInner(ex));
        }
        var tables = Describe(names.Select(n => SqlQuote.Qualified(n.Schema, n.Table)));
        var present = new HashSet<(string?, string)>(tables.Select(t => (t.SourceSchema, t.SourceTable)));
        var kept = new List<TableSchema>(tables.Count);
        foreach (var t in tables)
        {
            var d = t.Definition!;
            var outside = d.ForeignKeys.Where(fk => !present.Contains((fk.ParentSchema, fk.ParentTable))).ToList();
            if (outside.Count == 0) { kept.Add(t); continue; }
            var definition = d.With([.. d.ForeignKeys.Except(outside)], outside.Select(fk => new SchemaWarning(t.SourceDisplayName, "ForeignKey", fk.Name,
                $"references {fk.ParentDisplayName}, which this export leaves out: the foreign key is not created.")));
            kept.Add(t.WithDefinition(definition));
        }
        var (order, forward) = TableOrder.Sort(kept);
        forwardReferences = forward;
        // Every table knows the whole set, so a target can create all of them before the first row.
        var members = new List<TableSchema>(order.Count);
        var set = new TableSet(() => members);
        members.AddRange(order.Select(t => t.WithDefinition(t.Definition!.InSet(set))));
        return members;
    }

    /// <summary>The planner's estimate of a table's row count (pg_class.reltuples), for progress; 0 when unknown.</summary>
    public long EstimateRows(TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        ThrowIfUnusable();
        try
        {
            using var cmd = new NpgsqlCommand("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = to_regclass($1)", _connection);
            cmd.Parameters.AddWithValue(QualifiedName(table));
            var value = cmd.ExecuteScalar();
            // reltuples is -1 for a table never vacuumed or analyzed (Postgres 14+), 0 for views.
            return value is float f && f > 0 ? (long)f : 0;
        }
        catch (NpgsqlException ex)
        {
            throw new PgSourceException(table.SourceDisplayName, $"reading the row estimate failed: {_settings.Redact(PgConnectionSettings.Flatten(ex))}", _settings.SafeInner(ex));
        }
    }

    /// <summary>
    /// The rows of one table, in primary key order when it has one. With <paramref name="afterKey"/>
    /// (values of the primary key columns) only rows with a greater key are read (keyset, never OFFSET).
    /// </summary>
    /// <remarks>
    /// Lazy: nothing is read until the first row is asked for. Disposing the enumerator before
    /// the end cancels the COPY on the server. <paramref name="progress"/> is called every
    /// <see cref="ProgressInterval"/> rows and once at the end.
    /// </remarks>
    public IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ThrowIfDisposed();
        if (table.Kind != SchemaKind.Postgres) throw new ArgumentException($"Table {table.Name}: not a Postgres source schema.", nameof(table));
        var readers = table.Columns.Select(PgColumnReader.For).ToArray();
        var sql = CopySql(table, readers, afterKey);
        return Rows(table, readers, sql, progress);
    }

    static string CopySql(TableSchema table, PgColumnReader[] readers, IReadOnlyList<object?>? afterKey)
    {
        var sb = new StringBuilder("COPY (SELECT ");
        sb.AppendJoin(", ", readers.Select(r => r.SelectExpression));
        sb.Append(" FROM ").Append(QualifiedName(table));
        var key = table.PrimaryKey.Select(k => table.Columns[k]).ToArray();
        if (afterKey is not null)
        {
            if (key.Length == 0)
                throw new ArgumentException($"Table {table.SourceDisplayName} has no primary key: it cannot resume after a key.", nameof(afterKey));
            if (afterKey.Count != key.Length)
                throw new ArgumentException($"Table {table.SourceDisplayName}: the key has {key.Length} columns, {afterKey.Count} values were given.", nameof(afterKey));
            // COPY takes no bind parameters: the key values become typed literals (see PgKeyLiteral).
            // A row comparison orders like ORDER BY over the same columns, so resuming never skips
            // or repeats a row.
            sb.Append(" WHERE (").AppendJoin(", ", key.Select(c => SqlQuote.Identifier(c.SourceName))).Append(") > (");
            for (var i = 0; i < key.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                try { sb.Append(PgKeyLiteral.Render(afterKey[i], key[i].PgType!)); }
                catch (ArgumentException ex) { throw new ArgumentException($"Table {table.SourceDisplayName}, key column {key[i].Name}: {ex.Message}", nameof(afterKey)); }
            }
            sb.Append(')');
        }
        if (key.Length > 0)
            sb.Append(" ORDER BY ").AppendJoin(", ", key.Select(c => SqlQuote.Identifier(c.SourceName)));
        sb.Append(") TO STDOUT (FORMAT BINARY)");
        return sb.ToString();
    }

    IEnumerable<Row> Rows(TableSchema table, PgColumnReader[] readers, string sql, Action<ExportProgress>? progress)
    {
        ThrowIfUnusable();
        var estimate = progress is null ? 0 : EstimateRows(table);
        _busy = true;
        NpgsqlBinaryExporter? copy = null;
        var completed = false;
        var failed = false;
        long rows = 0;
        try
        {
            Execute($"SAVEPOINT {ExportSavepoint}");
            try { copy = _connection.BeginBinaryExport(sql); }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                failed = true;
                throw Failure(table, "starting the export failed", ex);
            }
            while (true)
            {
                Row? row;
                try { row = ReadRow(copy, table, readers, rows); }
                catch { failed = true; throw; }
                if (row is null) break;
                rows++;
                if (progress is not null && rows % ProgressInterval == 0)
                    progress(new ExportProgress(table.Name, rows, Math.Max(estimate, rows)));
                yield return row;
            }
            completed = true;
            progress?.Invoke(new ExportProgress(table.Name, rows, rows));
        }
        finally
        {
            EndCopy(copy, completed, failed);
            _busy = false;
        }
    }

    /// <summary>The next row, or null at the end; failures become <see cref="PgSourceException"/> naming the table and column.</summary>
    Row? ReadRow(NpgsqlBinaryExporter copy, TableSchema table, PgColumnReader[] readers, long rowsBefore)
    {
        var column = -1;
        try
        {
            var count = copy.StartRow();
            if (count == -1) return null;
            if (count != readers.Length)
                throw new InvalidOperationException($"COPY sent {count} columns, {readers.Length} were expected.");
            var values = new object?[readers.Length];
            for (column = 0; column < readers.Length; column++)
                values[column] = readers[column].Read(copy);
            return new Row(table, values);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or InvalidCastException or FormatException or OverflowException or IOException)
        {
            var where = column >= 0 ? $"reading column {table.Columns[column].Name} of row {rowsBefore + 1} failed" : $"reading row {rowsBefore + 1} failed";
            throw Failure(table, where, ex);
        }
    }

    PgSourceException Failure(TableSchema table, string what, Exception ex) =>
        new(table.SourceDisplayName, $"{what}: {_settings.Redact(PgConnectionSettings.Flatten(ex))}", _settings.SafeInner(ex));

    /// <summary>
    /// Ends a COPY and its savepoint. An unfinished COPY is cancelled on the server first:
    /// Npgsql's own Dispose would read every remaining row, and its Cancel does not interrupt a
    /// COPY it is not currently waiting on.
    /// </summary>
    void EndCopy(NpgsqlBinaryExporter? copy, bool completed, bool failed)
    {
        try
        {
            if (copy is not null)
            {
                if (!completed && !failed) CancelBackend();
                copy.Dispose();
            }
            if (completed)
            {
                Execute($"RELEASE SAVEPOINT {ExportSavepoint}");
                return;
            }
            RollbackExportSavepoint();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // The connection is gone or confused: later calls get a clear error instead of a hang.
            _disposed = true;
        }
    }

    void RollbackExportSavepoint()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Execute($"ROLLBACK TO SAVEPOINT {ExportSavepoint}; RELEASE SAVEPOINT {ExportSavepoint}");
                return;
            }
            // A cancel signal that arrived after the COPY ended can hit this statement instead: once more.
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && attempt == 0)
            {
            }
        }
    }

    /// <summary>Asks the server to cancel this connection's running statement, from a second connection.</summary>
    void CancelBackend()
    {
        try
        {
            using var other = _settings.OpenConnection();
            using var cmd = new NpgsqlCommand("SELECT pg_cancel_backend($1)", other);
            cmd.Parameters.AddWithValue(_connection.ProcessID);
            cmd.ExecuteScalar();
        }
        catch (Exception ex) when (ex is NpgsqlException or PgSourceException or InvalidOperationException)
        {
            // Without a cancel the COPY still ends correctly: Dispose reads the rest of it.
        }
    }

    static string QualifiedName(TableSchema table) => SqlQuote.Qualified(table.SourceSchema, table.SourceTable);

    void Execute(string sql)
    {
        using var cmd = new NpgsqlCommand(sql, _connection);
        cmd.ExecuteNonQuery();
    }

    void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_busy) throw new InvalidOperationException("An export is still running on this exporter: finish or dispose its enumerator first.");
    }

    public void Dispose()
    {
        if (_disposed && _connection.State == System.Data.ConnectionState.Closed) return;
        _disposed = true;
        try
        {
            if (_connection.State == System.Data.ConnectionState.Open && !_busy) Execute("ROLLBACK");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Closing the connection below ends the transaction anyway.
        }
        _connection.Dispose();
    }

    /// <summary>The snapshot every table is read in (txid_current_snapshot: xmin:xmax:running xids), for logs.</summary>
    public string Snapshot { get; } = "";

    /// <summary>The server's version (server_version), for logs.</summary>
    public string ServerVersion { get; } = "";

    /// <summary>Where this exporter reads, for -Verbose and logs: server, version and snapshot, no secret.</summary>
    public string DescribeConnection() =>
        $"Connected to {_settings.Describe()} (PostgreSQL {ServerVersion}); every table is read in one snapshot (REPEATABLE READ, READ ONLY, txid_current_snapshot {Snapshot}).";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"PgExporter({_settings.Describe()})");
}
