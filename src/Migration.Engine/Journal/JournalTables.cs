using Microsoft.Data.Sqlite;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// The journal's tables, kept in the target database itself so the journal is exactly as
/// durable as the data (a batch and its journal row commit in one transaction). Plain
/// <c>d1_migration_*</c> names: D1 reserves <c>_cf_*</c>, and these must survive an export of
/// the database like any other table.
/// </summary>
internal static class JournalTables
{
    public const string Prefix = "d1_migration_";
    public const string Runs = "d1_migration_runs";
    public const string RunTables = "d1_migration_run_tables";
    public const string Batches = "d1_migration_batches";
    public const string Quarantine = "d1_migration_quarantine";
    public const string UndoLog = "d1_migration_undo";

    // STRICT is left out on purpose: D1 accepts it, but older SQLite tools that read the file do not.
    const string Ddl = """
        CREATE TABLE IF NOT EXISTS d1_migration_runs (
            run_id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            source TEXT,
            tables TEXT NOT NULL,
            options TEXT NOT NULL,
            tables_before TEXT NOT NULL,
            empty_before TEXT NOT NULL DEFAULT '[]',
            rows_written INTEGER NOT NULL DEFAULT 0,
            rows_skipped INTEGER NOT NULL DEFAULT 0,
            rows_failed INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 1,
            backup_path TEXT,
            undone_at TEXT,
            message TEXT,
            time_travel_bookmark TEXT);
        CREATE TABLE IF NOT EXISTS d1_migration_run_tables (
            run_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            source_table TEXT,
            created INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,
            key_columns TEXT NOT NULL,
            batches INTEGER NOT NULL DEFAULT 0,
            rows_written INTEGER NOT NULL DEFAULT 0,
            rows_skipped INTEGER NOT NULL DEFAULT 0,
            rows_failed INTEGER NOT NULL DEFAULT 0,
            last_key TEXT,
            last_key_image BLOB,
            columns TEXT,
            checksum TEXT,
            PRIMARY KEY (run_id, table_name));
        CREATE TABLE IF NOT EXISTS d1_migration_batches (
            run_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            batch_number INTEGER NOT NULL,
            first_key TEXT,
            last_key TEXT,
            last_key_image BLOB,
            rows_written INTEGER NOT NULL,
            rows_skipped INTEGER NOT NULL,
            rows_failed INTEGER NOT NULL,
            checksum TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            PRIMARY KEY (run_id, table_name, batch_number));
        CREATE TABLE IF NOT EXISTS d1_migration_quarantine (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            column_name TEXT,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            value_excerpt TEXT NOT NULL,
            recorded_at TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS d1_migration_quarantine_row
            ON d1_migration_quarantine (run_id, table_name, row_key, stage, reason);
        CREATE TABLE IF NOT EXISTS d1_migration_undo (
            seq INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            op TEXT NOT NULL,
            old_rowid INTEGER,
            new_rowid INTEGER,
            image BLOB);
        CREATE INDEX IF NOT EXISTS d1_migration_undo_run ON d1_migration_undo (run_id, seq);
        """;

    /// <summary>Columns added after the first journal format, with their definitions (an older journal gets them on first use).</summary>
    static readonly (string Table, string Column, string Definition)[] AddedColumns =
    [
        (Runs, "empty_before", "TEXT NOT NULL DEFAULT '[]'"),
        (RunTables, "columns", "TEXT"),
        (RunTables, "checksum", "TEXT"),
        // A remote D1's Time Travel bookmark taken before the run's first write (Undo-Migration -TimeTravel).
        (Runs, "time_travel_bookmark", "TEXT"),
    ];

    /// <summary>Creates the journal's tables where missing and adds columns an older journal lacks.</summary>
    public static void Ensure(IJournalConnection journal)
    {
        // One statement per Execute: a remote D1 takes a batch of statements, not several in one.
        var statements = Ddl.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        journal.Write(s => { foreach (var statement in statements) s.Execute(statement); });
        var missing = AddedColumns.Where(a => !HasColumn(journal, a.Table, a.Column)).ToList();
        if (missing.Count > 0)
            journal.Write(s => { foreach (var (table, column, definition) in missing) s.Execute($"ALTER TABLE {table} ADD COLUMN {column} {definition}"); });
    }

    public static void Ensure(SqliteConnection connection) => Ensure(new SqliteJournalConnection(connection, connection.DataSource));

    public static bool HasColumn(IJournalConnection journal, string table, string column) =>
        journal.Query("SELECT count(*) FROM pragma_table_info($t) WHERE name = $c", ("$t", table), ("$c", column)) is [[long n]] && n > 0;

    public static bool HasColumn(SqliteConnection connection, SqliteTransaction? transaction, string table, string column) =>
        HasColumn(new SqliteJournalConnection(connection, connection.DataSource, transaction), table, column);

    /// <summary>
    /// Runs a read on the database. Read-only first; but a process killed mid-transaction leaves
    /// a hot rollback journal that only a writable connection may roll back, so then once more
    /// read-write (that rollback is what any next writer would do first).
    /// </summary>
    public static T Read<T>(string path, Func<SqliteConnection, T> read)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no database at {path}.", path);
        try
        {
            using var connection = Target.Sqlite.SqliteTarget.OpenConnection(path, readOnly: true);
            return read(connection);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 8) // SQLITE_READONLY
        {
            using var connection = Target.Sqlite.SqliteTarget.OpenConnection(path, readOnly: false);
            return read(connection);
        }
    }

    public static bool Exist(IJournalConnection journal) =>
        journal.Query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'd1_migration_runs'").Count > 0;

    public static bool Exist(SqliteConnection connection) => Exist(new SqliteJournalConnection(connection, connection.DataSource));

    /// <summary>Whether a table belongs to the journal or to SQLite/D1 rather than to the data.</summary>
    public static bool IsInternal(string table) =>
        table.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
        || table.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase)
        || table.StartsWith("_cf_", StringComparison.OrdinalIgnoreCase);

    /// <summary>The data tables in the database now (journal, SQLite and D1 tables left out).</summary>
    public static List<string> DataTables(IJournalConnection journal) =>
        [.. journal.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").Select(r => (string)r[0]!).Where(n => !IsInternal(n))];

    public static List<string> DataTables(SqliteConnection connection, SqliteTransaction? transaction = null) =>
        DataTables(new SqliteJournalConnection(connection, connection.DataSource, transaction));

    /// <summary>What kind of table it is: <c>table</c> for a plain one (not virtual, not a shadow table), and whether it is WITHOUT ROWID; null when it is not there.</summary>
    public static (string Type, bool WithoutRowid)? Kind(IJournalConnection journal, string table) =>
        journal.Query("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = $t COLLATE NOCASE", ("$t", table)) is [var row, ..]
            ? ((string)row[0]!, row[1] is long wr && wr != 0)
            : null;
}
