using System.Globalization;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target.Sqlite;
using SQLitePCL;

namespace Migration.Engine.Source.Sqlite;

/// <summary>
/// Reads a D1 database from a SQLite file (a D1 export, wrangler's local state file, any SQLite
/// database). Everything one source reads comes from one read transaction, i.e. one snapshot,
/// held from the constructor until <see cref="D1Source.Dispose()"/>. The catalog, the table
/// choice and the row contract (values as stored, key order, <see cref="Row.SourceKey"/>) are
/// <see cref="D1Source"/>'s; this class runs the SQL on the file and reads each table with one
/// statement. The reverse converter (<see cref="Convert.PgRowConverter"/>) maps the rows to
/// Postgres types.
/// </summary>
public sealed class SqliteFileSource : D1Source
{
    readonly SqliteConnection _connection;
    readonly SqliteTransaction _snapshot;
    bool _disposed;

    /// <param name="path">The SQLite file's full path; it must exist (it is opened read-only).</param>
    public SqliteFileSource(string path) : base(path)
    {
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

    protected override IReadOnlyList<object?[]> Query(string template, params object?[] values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sql = template;
        for (var i = 0; i < values.Length; i++) sql = sql.Replace("{" + i.ToString(CultureInfo.InvariantCulture) + "}", "$p" + i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var cmd = Command(sql);
        for (var i = 0; i < values.Length; i++) cmd.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), values[i] ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// The rows of one table in key order (rowid order without a key), after <paramref name="afterKey"/>
    /// when given (the key's values, or the rowid). Lazy; values exactly as stored.
    /// </summary>
    public override IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var keyColumns = KeyColumns(table);
        var select = SqlQuote.Identifiers(table.Columns.Select(c => c.Name));
        var keyList = string.Join(", ", keyColumns);
        // A key's values are among the row's (the key is always selected): read once, not twice.
        // Only a table without a key reads its rowid after the columns.
        var sql = $"SELECT {select}{(table.HasPrimaryKey ? "" : ", rowid")} FROM {SqlQuote.Identifier(table.SourceTable)}";
        if (afterKey is { Count: > 0 })
        {
            if (afterKey.Count != keyColumns.Count) throw new ArgumentException($"Table {table.Name}: the key after which to start has {afterKey.Count} values, the key {keyColumns.Count}.", nameof(afterKey));
            sql += $" WHERE ({keyList}) > ({string.Join(", ", afterKey.Select((_, i) => Target.SqliteSql.Parameter(i)))})";
        }
        sql += $" ORDER BY {keyList}";
        return Read(table, sql, afterKey, keyColumns.Count, progress);
    }

    /// <remarks>
    /// The rows are read with SQLite's statement API directly (<see cref="SqliteNative"/>), not a
    /// SqliteDataReader: its IsDBNull + GetValue made four marshalled calls per value (a SafeHandle
    /// add-ref and release each), the reader thread's largest cost at 1.11M rows. The statement
    /// runs on this source's connection, inside its snapshot, like every other read.
    /// </remarks>
    IEnumerable<Row> Read(TableSchema table, string sql, IReadOnlyList<object?>? afterKey, int keyCount, Action<ExportProgress>? progress)
    {
        var db = _connection.Handle ?? throw new ObjectDisposedException(nameof(SqliteFileSource));
        long done = 0;
        int rc;
        using (var statement = SqliteNative.Prepare(db, sql))
        {
            if (afterKey is not null)
                for (var i = 0; i < afterKey.Count; i++) BindKey(db, statement, raw.sqlite3_bind_parameter_index(statement, Target.SqliteSql.Parameter(i)), afterKey[i]);
            var handle = statement.DangerousGetHandle(); // kept alive by the using above
            var n = table.Columns.Count;
            var keyAt = table.HasPrimaryKey ? [.. table.PrimaryKey] : new[] { n }; // the rowid follows the columns
            while ((rc = SqliteNative.sqlite3_step(handle)) == raw.SQLITE_ROW)
            {
                var values = new object?[n];
                for (var i = 0; i < n; i++) values[i] = SqliteNative.ColumnValue(handle, i);
                var key = new object?[keyCount];
                for (var i = 0; i < keyCount; i++) key[i] = keyAt[i] < n ? values[keyAt[i]] : SqliteNative.ColumnValue(handle, n);
                done++;
                if (progress is not null && done % PgExporter.ProgressInterval == 0) progress(new ExportProgress(table.Name, done, -1));
                yield return new Row(table, values) { SourceKey = key };
            }
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
        }
        progress?.Invoke(new ExportProgress(table.Name, done, done));
    }

    /// <summary>Binds one value of a resume key: the values a row or a journal image holds (long, double, string, byte[] or null).</summary>
    static void BindKey(sqlite3 db, sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            double d => raw.sqlite3_bind_double(statement, index, d),
            string t => raw.sqlite3_bind_text(statement, index, t),
            byte[] b => raw.sqlite3_bind_blob(statement, index, b),
            _ => throw new ArgumentException($"A resume key value of type {value.GetType().Name} is not a SQLite value.", nameof(value)),
        };
        SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>A command inside this source's snapshot (the declared-schema reader uses it too).</summary>
    internal SqliteCommand Command(string sql)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = _snapshot;
        cmd.CommandText = sql;
        return cmd;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
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
