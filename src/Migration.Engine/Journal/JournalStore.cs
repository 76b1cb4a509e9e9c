using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// The journal's SQL for runs, in one place: starting and resuming a run, the statements each
/// batch adds to its unit of work (<see cref="IBatchStatements"/>: batch row, table progress,
/// quarantine), finishing a run, and reading runs back. <see cref="MigrationJournal"/> is its
/// public face and <see cref="MigrationRun"/> decides what to record; the undo log's own SQL
/// belongs to the local undo strategy (<see cref="UndoLogTriggers"/>, <see cref="UndoReplay"/>).
/// </summary>
/// <remarks>
/// A batch's statements only write: what a run must know per table (batches so far, checksum)
/// is read here when the run starts (<see cref="TableRecords"/>), so the same statements can
/// travel in one remote request.
/// </remarks>
internal static class JournalStore
{
    /// <summary>
    /// Starts a new run in the database at <paramref name="path"/> (a full path; created when
    /// missing), or with <see cref="RunStart.Resume"/> continues an unfinished one. A new run
    /// records which tables exist before it writes anything, so Undo knows which tables it created.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing to resume: no such run, or it was undone.</exception>
    internal static MigrationRun Start(string path, RunStart start)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(start);
        if (!System.IO.Path.IsPathFullyQualified(path))
            throw new ArgumentException($"The database must be a full filesystem path, not \"{path}\".", nameof(path));
        using var journal = SqliteJournalConnection.Open(path);
        JournalTables.Ensure(journal);
        if (!start.Resume && start.BackupPath is { } backup)
        {
            if (start.RunId is not null) throw new ArgumentException("A run id is given only to resume that run.", nameof(start));
            if (!System.IO.Path.IsPathFullyQualified(backup)) throw new ArgumentException($"The backup must be a full filesystem path, not \"{backup}\".", nameof(start));
            if (File.Exists(backup)) throw new IOException($"The backup file {backup} already exists; it is never overwritten.");
            // The SQLite backup API: a consistent copy even of a WAL-mode file another process reads.
            using var copy = SqliteTarget.OpenConnection(backup, readOnly: false);
            journal.Connection.BackupDatabase(copy);
        }
        return Start(journal, start, () => SqliteJournalConnection.Open(path), ensured: true);
    }

    /// <summary>
    /// Starts or resumes a run in any database that holds a journal (<paramref name="journal"/>);
    /// <paramref name="reopen"/> gives the run a connection of its own later (to finish it).
    /// A backup (<see cref="RunStart.BackupPath"/>) is the local file's business: taken before this.
    /// </summary>
    internal static MigrationRun Start(IJournalConnection journal, RunStart start, Func<IJournalConnection> reopen, bool ensured = false)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(start);
        if (!ensured) JournalTables.Ensure(journal);
        return start.Resume ? Resume(journal, start, reopen) : Begin(journal, start, reopen);
    }

    /// <summary>The run's Time Travel bookmark, or null (a local run, or one journaled before bookmarks were kept).</summary>
    public static string? TimeTravelBookmark(IJournalConnection journal, long runId)
    {
        var rows = journal.Query($"SELECT time_travel_bookmark FROM {JournalTables.Runs} WHERE run_id = $run", ("$run", runId));
        return rows.Count == 0 ? throw new InvalidOperationException($"There is no run {runId} in {journal.Location}.") : rows[0][0] as string;
    }

    static MigrationRun Begin(IJournalConnection journal, RunStart start, Func<IJournalConnection> reopen)
    {
        if (start.RunId is not null) throw new ArgumentException("A run id is given only to resume that run.", nameof(start));
        return journal.Atomically(() =>
        {
            var tablesBefore = JournalTables.DataTables(journal);
            var emptyBefore = tablesBefore.Where(t => IsEmptyRowidTable(journal, t)).ToList();
            var now = JournalClock.Now();
            journal.Write(s => s.Execute($"""
                INSERT INTO {JournalTables.Runs} (started_at, status, source, tables, options, tables_before, empty_before, backup_path, time_travel_bookmark)
                VALUES ($now, 'Running', $source, $tables, $options, $before, $empty, $backup, $bookmark)
                """, ("$now", now), ("$bookmark", start.TimeTravelBookmark), ("$source", start.Source), ("$tables", JsonSerializer.Serialize(start.Tables.ToArray())), ("$options", start.Options),
                ("$before", JsonSerializer.Serialize(tablesBefore.ToArray())), ("$empty", JsonSerializer.Serialize(emptyBefore.ToArray())), ("$backup", start.BackupPath)));
            // The newest run is this one: a journal has one writer at a time (and locally this is one transaction).
            var runId = Int(journal.Query($"SELECT max(run_id) FROM {JournalTables.Runs}")[0][0]);
            return new MigrationRun(journal.Location, reopen, runId, resumed: false, RunStatus.Running, attempts: 1, tablesBefore, emptyBefore,
                new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase), WithoutRowidTables(journal, tablesBefore));
        });
    }

    /// <summary>
    /// A table that existed but held no rows (e.g. made by <c>wrangler d1 migrations apply</c>
    /// before the load): every row in it after the run is the run's, so it needs no per-row undo
    /// log. Undo empties it again, after proving from the run's checksums that it holds nothing
    /// else (see <see cref="MigrationUndo"/>). Virtual and WITHOUT ROWID tables keep the usual rules.
    /// </summary>
    static bool IsEmptyRowidTable(IJournalConnection journal, string table) =>
        JournalTables.Kind(journal, table) is ("table", false)
        && Int(journal.Query("SELECT EXISTS (SELECT 1 FROM " + SqlQuote.Identifier(table) + ")")[0][0]) == 0;

    static MigrationRun Resume(IJournalConnection journal, RunStart start, Func<IJournalConnection> reopen) => journal.Atomically(() =>
    {
        var path = journal.Location;
        var found = start.RunId is null
            ? journal.Query($"SELECT run_id FROM {JournalTables.Runs} WHERE status <> 'Undone' ORDER BY run_id DESC LIMIT 1")
            : journal.Query($"SELECT run_id FROM {JournalTables.Runs} WHERE run_id = $run", ("$run", start.RunId.Value));
        if (found.Count == 0)
            throw new InvalidOperationException(start.RunId is null ? $"There is no run to resume in {path}." : $"There is no run {start.RunId} in {path}.");
        var runId = Int(found[0][0]);
        var r = journal.Query($"SELECT status, tables_before, attempts, empty_before FROM {JournalTables.Runs} WHERE run_id = $run", ("$run", runId))[0];
        var state = ParseStatus((string)r[0]!);
        if (state == RunStatus.Undone)
            throw new InvalidOperationException($"Run {runId} in {path} was undone; start a new run instead of resuming it.");
        var tablesBefore = JsonSerializer.Deserialize<string[]>((string)r[1]!) ?? [];
        var attempts = (int)Int(r[2]);
        var emptyBefore = JsonSerializer.Deserialize<string[]>((string)r[3]!) ?? [];
        List<string> restarted = [];
        if (!state.IsComplete())
        {
            attempts++;
            var next = attempts;
            journal.Write(s => s.Execute($"UPDATE {JournalTables.Runs} SET status = 'Running', attempts = $attempts, finished_at = NULL, message = NULL WHERE run_id = $run",
                ("$attempts", next), ("$run", runId)));
            restarted = RestartKeylessTables(journal, runId, tablesBefore, emptyBefore);
        }
        var checkpoints = Checkpoints(journal, runId);
        var recorded = TableRecords(journal, runId);
        return new MigrationRun(path, reopen, runId, resumed: true, state, attempts, tablesBefore, emptyBefore, checkpoints, recorded, WithoutRowidTables(journal, tablesBefore))
        {
            RestartedTables = restarted,
        };
    });

    /// <summary>
    /// A table without a key has no checkpoint to continue after, so a resumed run writes it
    /// again from its start: the rows the run already put there are taken out first (a table
    /// the run created or found empty is emptied; in an older table the run's undo log is
    /// reverted). Foreign keys are off on this connection (SQLite's default), so nothing cascades.
    /// </summary>
    static List<string> RestartKeylessTables(IJournalConnection journal, long runId, string[] tablesBefore, string[] emptyBefore)
    {
        var keyless = journal.Query($"SELECT table_name, created FROM {JournalTables.RunTables} WHERE run_id = $run AND key_columns = '[]' AND batches > 0", ("$run", runId))
            .Select(r => (Table: (string)r[0]!, Created: Int(r[1]) != 0)).ToList();
        if (keyless.Count == 0) return [];
        foreach (var (table, created) in keyless)
        {
            var owned = (created && !tablesBefore.Contains(table, StringComparer.OrdinalIgnoreCase)) || emptyBefore.Contains(table, StringComparer.OrdinalIgnoreCase);
            if (!owned)
            {
                // Only the local file keeps an undo log of rows written into older tables.
                if (journal is not SqliteJournalConnection { Transaction: { } transaction } local)
                    throw new InvalidOperationException($"Run {runId} wrote rows into {table}, a table without a key that held rows before it; {journal.Location} keeps no undo log to take them out, so the run cannot be resumed. Undo it, or start a new run.");
                UndoReplay.Revert(local.Connection, transaction, runId, table);
            }
            journal.Write(s =>
            {
                if (owned) s.Execute("DELETE FROM " + SqlQuote.Identifier(table));
                // The batch count stays, so the rewritten batches get new numbers after the old ones.
                s.Execute($"UPDATE {JournalTables.RunTables} SET rows_written = 0, rows_skipped = 0, rows_failed = 0, last_key = NULL, last_key_image = NULL, columns = NULL, checksum = NULL WHERE run_id = $run AND table_name = $table",
                    ("$run", runId), ("$table", table));
            });
        }
        return [.. keyless.Select(k => k.Table)];
    }

    static Dictionary<string, object?[]> Checkpoints(IJournalConnection journal, long runId)
    {
        var result = new Dictionary<string, object?[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in journal.Query($"SELECT table_name, last_key_image FROM {JournalTables.RunTables} WHERE run_id = $run AND last_key_image IS NOT NULL", ("$run", runId)))
            result[(string)r[0]!] = RowImage.Decode((byte[])r[1]!);
        return result;
    }

    internal static List<MigrationRunInfo> GetRuns(SqliteConnection connection, string path, long? runId, SqliteTransaction? transaction = null) =>
        GetRuns(new SqliteJournalConnection(connection, path, transaction), runId);

    /// <summary>The runs recorded in the journal, oldest first (one run with <paramref name="runId"/>); empty when there is no journal.</summary>
    internal static List<MigrationRunInfo> GetRuns(IJournalConnection journal, long? runId)
    {
        if (!JournalTables.Exist(journal)) return [];
        var progress = new Dictionary<long, List<RunTableProgress>>();
        foreach (var r in journal.Query($"""
            SELECT run_id, table_name, source_table, created, batches, rows_written, rows_skipped, rows_failed, last_key
            FROM {JournalTables.RunTables} WHERE $run IS NULL OR run_id = $run ORDER BY run_id, ordinal
            """, ("$run", runId)))
        {
            var id = Int(r[0]);
            if (!progress.TryGetValue(id, out var list)) progress[id] = list = [];
            list.Add(new RunTableProgress(id, (string)r[1]!, (string?)r[2], Int(r[3]) != 0, (int)Int(r[4]), Int(r[5]), Int(r[6]), Int(r[7]), (string?)r[8]));
        }
        var runs = new List<MigrationRunInfo>();
        // A run still going (or killed) has no totals yet: they are summed from its tables.
        foreach (var r in journal.Query($"""
            SELECT r.run_id, r.status, r.started_at, r.finished_at, r.source, r.tables, r.options,
                   (SELECT coalesce(sum(rows_written), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                   (SELECT coalesce(sum(rows_skipped), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                   (SELECT coalesce(sum(rows_failed), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                   (SELECT count(*) FROM {JournalTables.Quarantine} q WHERE q.run_id = r.run_id),
                   r.attempts, r.backup_path, r.undone_at, r.message
            FROM {JournalTables.Runs} r WHERE $run IS NULL OR r.run_id = $run ORDER BY r.run_id
            """, ("$run", runId)))
        {
            var id = Int(r[0]);
            runs.Add(new MigrationRunInfo(journal.Location, id, ParseStatus((string)r[1]!), JournalClock.Parse((string)r[2]!),
                JournalClock.ParseOrNull(r[3]), (string?)r[4],
                JsonSerializer.Deserialize<string[]>((string)r[5]!) ?? [], (string)r[6]!,
                Int(r[7]), Int(r[8]), Int(r[9]), Int(r[10]), (int)Int(r[11]),
                (string?)r[12], JournalClock.ParseOrNull(r[13]),
                (string?)r[14], progress.GetValueOrDefault(id) ?? []));
        }
        return runs;
    }

    /// <summary>An INTEGER the journal reads back (long locally; long from D1's JSON too).</summary>
    static long Int(object? value) => System.Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// The checkpoints of a run (default: the newest run not undone, the one
    /// <see cref="RunStart.Resume"/> continues), one per table it wrote; empty when there is none.
    /// </summary>
    internal static IReadOnlyList<ResumePoint> ResumePoints(string path, long? runId) =>
        JournalTables.Read(path, connection => ResumePoints(new SqliteJournalConnection(connection, path), runId));

    internal static IReadOnlyList<ResumePoint> ResumePoints(IJournalConnection journal, long? runId)
    {
        if (!JournalTables.Exist(journal)) return [];
        return [.. journal.Query($"""
            SELECT t.run_id, t.table_name, t.source_table, t.last_key_image, t.key_columns FROM {JournalTables.RunTables} t
            WHERE t.run_id = coalesce($run, (SELECT max(run_id) FROM {JournalTables.Runs} WHERE status <> 'Undone'))
            ORDER BY t.ordinal
            """, ("$run", runId)).Select(r => new ResumePoint(Int(r[0]), (string)r[1]!, (string?)r[2], r[3] is byte[] image ? RowImage.Decode(image) : null,
                r[4] is string keys ? JsonSerializer.Deserialize<string[]>(keys) ?? [] : []))];
    }

    /// <summary>The rows a run quarantined, in the order they were met.</summary>
    internal static List<QuarantinedRow> Quarantined(SqliteConnection connection, long runId) =>
        Quarantined(new SqliteJournalConnection(connection, connection.DataSource), runId);

    internal static List<QuarantinedRow> Quarantined(IJournalConnection journal, long runId)
    {
        if (!JournalTables.Exist(journal)) return [];
        return [.. journal.Query($"SELECT run_id, table_name, row_key, column_name, stage, reason, value_excerpt, recorded_at FROM {JournalTables.Quarantine} WHERE run_id = $run ORDER BY id",
            ("$run", runId)).Select(r => new QuarantinedRow(Int(r[0]), (string)r[1]!, (string)r[2]!, (string?)r[3], (string)r[4]!, (string)r[5]!, (string)r[6]!,
                JournalClock.Parse((string)r[7]!)))];
    }

    /// <summary>What earlier attempts recorded for a run's tables (read when it resumes; a batch's statements cannot read).</summary>
    internal sealed record TableRecord(int Batches, string? Columns, string? Checksum);

    static Dictionary<string, TableRecord> TableRecords(IJournalConnection journal, long runId)
    {
        var result = new Dictionary<string, TableRecord>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in journal.Query($"SELECT table_name, batches, columns, checksum FROM {JournalTables.RunTables} WHERE run_id = $run", ("$run", runId)))
            result[(string)r[0]!] = new TableRecord((int)Int(r[1]), (string?)r[2], (string?)r[3]);
        return result;
    }

    /// <summary>The tables that existed before the run and are WITHOUT ROWID: a run may not write into them (no undo log).</summary>
    static List<string> WithoutRowidTables(IJournalConnection journal, IEnumerable<string> tablesBefore) =>
        [.. tablesBefore.Where(t => JournalTables.Kind(journal, t) is (_, true))];

    /// <summary>A table's first batch of the run registers it (once; a resumed run keeps its row).</summary>
    internal static void RegisterTable(IBatchStatements statements, long runId, string table, string? sourceTable, bool created, string keyColumns) =>
        statements.Execute($"""
            INSERT OR IGNORE INTO {JournalTables.RunTables} (run_id, table_name, source_table, created, ordinal, key_columns)
            VALUES ($run, $table, $source, $created, (SELECT count(*) FROM {JournalTables.RunTables} WHERE run_id = $run), $key)
            """, ("$run", runId), ("$table", table), ("$source", sourceTable), ("$created", created ? 1 : 0), ("$key", keyColumns));

    /// <summary>One committed batch: its journal row and its table's checkpoint, in the batch's own unit of work.</summary>
    internal static void RecordBatch(IBatchStatements statements, long runId, string table, int number, BatchResult batch, string firstKey, string lastKey,
        byte[]? lastKeyImage, string batchChecksum, string? checksumColumns, string tableChecksum)
    {
        statements.Execute($"""
            INSERT INTO {JournalTables.Batches} (run_id, table_name, batch_number, first_key, last_key, last_key_image, rows_written, rows_skipped, rows_failed, checksum, committed_at)
            VALUES ($run, $table, $number, $first, $last, $image, $written, $skipped, $failed, $checksum, $now)
            """, ("$run", runId), ("$table", table), ("$number", number), ("$first", firstKey), ("$last", lastKey), ("$image", lastKeyImage),
            ("$written", batch.RowsWritten), ("$skipped", batch.RowsSkipped), ("$failed", batch.RowsFailed), ("$checksum", batchChecksum), ("$now", JournalClock.Now()));
        statements.Execute($"""
            UPDATE {JournalTables.RunTables} SET batches = batches + 1, rows_written = rows_written + $written,
                rows_skipped = rows_skipped + $skipped, rows_failed = rows_failed + $failed,
                last_key = $last, last_key_image = $image, columns = $columns, checksum = $checksum
            WHERE run_id = $run AND table_name = $table
            """, ("$columns", checksumColumns), ("$checksum", tableChecksum), ("$run", runId), ("$table", table), ("$written", batch.RowsWritten),
            ("$skipped", batch.RowsSkipped), ("$failed", batch.RowsFailed), ("$last", lastKey), ("$image", lastKeyImage));
    }

    /// <summary>A quarantined row. OR IGNORE: a resumed run that meets the same bad row again records it once.</summary>
    internal static void Quarantine(IBatchStatements statements, long runId, string table, string key, string? column, QuarantineStage stage, string reason, string excerpt, string at) =>
        statements.Execute($"""
            INSERT OR IGNORE INTO {JournalTables.Quarantine} (run_id, table_name, row_key, column_name, stage, reason, value_excerpt, recorded_at)
            VALUES ($run, $table, $key, $column, $stage, $reason, $excerpt, $at)
            """, ("$run", runId), ("$table", table), ("$key", key), ("$column", column), ("$stage", stage.ToString()), ("$reason", reason), ("$excerpt", excerpt), ("$at", at));

    /// <summary>The run's end: its status, message and totals (summed from its tables and quarantine).</summary>
    internal static void FinishRun(IBatchStatements statements, long runId, RunStatus status, string? message, string now) =>
        statements.Execute($"""
            UPDATE {JournalTables.Runs} SET status = $status, finished_at = $now, message = $message,
                rows_written = (SELECT coalesce(sum(rows_written), 0) FROM {JournalTables.RunTables} WHERE run_id = $run),
                rows_skipped = (SELECT coalesce(sum(rows_skipped), 0) FROM {JournalTables.RunTables} WHERE run_id = $run),
                rows_failed = (SELECT count(*) FROM {JournalTables.Quarantine} WHERE run_id = $run)
            WHERE run_id = $run
            """, ("$status", StatusText(status)), ("$now", now), ("$message", message), ("$run", runId));

    /// <summary>
    /// Rows of <paramref name="table"/> the run wrote and then deleted (under -OrphanPolicy Skip,
    /// an orphan found when its deferred foreign key was filled in): counted as skipped, not
    /// written, in the same transaction as the deletion. <paramref name="onlyIf"/>: a condition
    /// (SQL with its own <c>$name</c> parameters) for a remote request that cannot know the count
    /// before it runs: sent just before the row's DELETE, true while the row is there.
    /// </summary>
    internal static void RowsDeletedAfterWrite(IBatchStatements statements, long runId, string table, long count, string? onlyIf = null, params (string Name, object? Value)[] parameters) =>
        statements.Execute(MoveWrittenToSkipped(JournalTables.RunTables, "$n") + (onlyIf is null ? "" : " AND " + onlyIf),
            [("$run", runId), ("$table", table), ("$n", count), .. parameters]);

    /// <summary>
    /// Remote /query: the rows of a batch's INSERT that D1 left as they were (ON CONFLICT DO
    /// NOTHING on a key already there, as the local target counts them: skipped, not written).
    /// The request cannot know how many before it runs, so its batch row is journaled first with
    /// every row sent as written, and this statement follows each INSERT of the batch in the same
    /// request (applied exactly once with it): while it runs, <c>changes()</c> is still that
    /// INSERT's count of the rows it inserted or updated itself (not its triggers', not REPLACE's deletions).
    /// </summary>
    internal static void RowsLeftByLastInsert(IBatchStatements statements, long runId, string table, int batchNumber, int rowsSent) =>
        statements.Execute(MoveWrittenToSkipped(JournalTables.Batches, "($sent - changes())") + " AND batch_number = $number",
            ("$run", runId), ("$table", table), ("$number", batchNumber), ("$sent", rowsSent));

    /// <summary>
    /// After the batch's <see cref="RowsLeftByLastInsert"/>: its table's counts follow its batch
    /// row's, by what moved there (<paramref name="journaledWritten"/>, the rows_written the batch
    /// was journaled with, less what its row says now). Last in the batch's request.
    /// </summary>
    internal static void TableCountsFollowBatch(IBatchStatements statements, long runId, string table, int batchNumber, int journaledWritten) =>
        statements.Execute(MoveWrittenToSkipped(JournalTables.RunTables,
                $"($written - (SELECT rows_written FROM {JournalTables.Batches} WHERE run_id = $run AND table_name = $table AND batch_number = $number))"),
            ("$run", runId), ("$table", table), ("$number", batchNumber), ("$written", journaledWritten));

    /// <summary>Moves <paramref name="count"/> (SQL) of a run's table's rows from rows_written to rows_skipped in <paramref name="journalTable"/> (WHERE to be extended).</summary>
    static string MoveWrittenToSkipped(string journalTable, string count) =>
        $"UPDATE {journalTable} SET rows_written = rows_written - {count}, rows_skipped = rows_skipped + {count} WHERE run_id = $run AND table_name = $table";

    /// <summary>
    /// The run's checksum of a table after it deleted rows it wrote (see <see cref="DeletedRowChecksum"/>).
    /// <paramref name="onlyIf"/>: a condition (SQL with its own <c>$name</c> parameters) for a remote
    /// request, as in <see cref="RowsDeletedAfterWrite"/>.
    /// </summary>
    internal static void ReplaceChecksum(IBatchStatements statements, long runId, string table, string checksum, string? onlyIf = null, params (string Name, object? Value)[] parameters) =>
        statements.Execute($"UPDATE {JournalTables.RunTables} SET checksum = $checksum WHERE run_id = $run AND table_name = $table" + (onlyIf is null ? "" : " AND " + onlyIf),
            [("$checksum", checksum), ("$run", runId), ("$table", table), .. parameters]);

    /// <summary>
    /// Whether <see cref="FinishRun"/> with this status and time landed: the proof read back
    /// after its answer was lost (the time is the attempt's own, so an earlier attempt's finish
    /// cannot pass for it).
    /// </summary>
    internal static bool Finished(IJournalConnection journal, long runId, RunStatus status, string now) =>
        journal.Query($"SELECT 1 FROM {JournalTables.Runs} WHERE run_id = $run AND status = $status AND finished_at = $now",
            ("$run", runId), ("$status", StatusText(status)), ("$now", now)).Count > 0;

    /// <summary>The newest run that is not undone, or null.</summary>
    internal static long? LastRunNotUndone(SqliteConnection connection) => LastRunNotUndone(new SqliteJournalConnection(connection, connection.DataSource));

    internal static long? LastRunNotUndone(IJournalConnection journal) =>
        journal.Query($"SELECT max(run_id) FROM {JournalTables.Runs} WHERE status <> 'Undone'") is [[long id]] ? id : null;

    /// <summary>A JSON list of table names the run recorded when it started: <c>tables_before</c> or <c>empty_before</c>.</summary>
    internal static string[] RunTableList(SqliteConnection connection, SqliteTransaction? transaction, long runId, string column) =>
        RunTableList(new SqliteJournalConnection(connection, connection.DataSource, transaction), runId, column);

    internal static string[] RunTableList(IJournalConnection journal, long runId, string column)
    {
        if (column is not ("tables_before" or "empty_before")) throw new ArgumentOutOfRangeException(nameof(column), column, "Not a table list of the runs table.");
        return JsonSerializer.Deserialize<string[]>((string)journal.Query($"SELECT {column} FROM {JournalTables.Runs} WHERE run_id = $run", ("$run", runId))[0][0]!) ?? [];
    }

    /// <summary>The columns (JSON) and the running checksum the run recorded for a table; nulls when it recorded none.</summary>
    internal static (string? Columns, string? Checksum) TableChecksum(SqliteConnection connection, SqliteTransaction? transaction, long runId, string table) =>
        TableChecksum(new SqliteJournalConnection(connection, connection.DataSource, transaction), runId, table);

    internal static (string? Columns, string? Checksum) TableChecksum(IJournalConnection journal, long runId, string table) =>
        journal.Query($"SELECT columns, checksum FROM {JournalTables.RunTables} WHERE run_id = $run AND table_name = $table", ("$run", runId), ("$table", table))
            is [var r, ..] ? ((string?)r[0], (string?)r[1]) : (null, null);

    /// <summary>Per table, how many rows the run's undo log would delete (inserted) and restore (deleted or updated).</summary>
    internal static Dictionary<string, (long Insert, long Restore)> UndoLogCounts(SqliteConnection connection, SqliteTransaction? transaction, long runId)
    {
        var counts = new Dictionary<string, (long Insert, long Restore)>(StringComparer.OrdinalIgnoreCase);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT table_name, sum(op = 'I'), sum(op <> 'I') FROM {JournalTables.UndoLog} WHERE run_id = $run GROUP BY table_name";
        read.Parameters.AddWithValue("$run", runId);
        using var r = read.ExecuteReader();
        while (r.Read()) counts[r.GetString(0)] = (r.GetInt64(1), r.GetInt64(2));
        return counts;
    }

    /// <summary>After a backup was restored over the file: the run, which the backup's journal predates, is written back (then marked undone).</summary>
    internal static void WriteRunBack(SqliteConnection connection, SqliteTransaction transaction, MigrationRunInfo r, string backup) =>
        new SqliteBatchStatements(connection, transaction).Execute($"""
            INSERT OR REPLACE INTO {JournalTables.Runs} (run_id, started_at, finished_at, status, source, tables, options, tables_before, rows_written, rows_skipped, rows_failed, attempts, backup_path)
            VALUES ($run, $started, $finished, 'Running', $source, $tables, $options, '[]', $written, $skipped, $failed, $attempts, $backup)
            """, ("$run", r.RunId), ("$started", JournalClock.Format(r.StartedAt)), ("$finished", r.FinishedAt is { } f ? JournalClock.Format(f) : null),
            ("$source", r.Source), ("$tables", JsonSerializer.Serialize(r.Tables.ToArray())), ("$options", r.Options), ("$written", r.RowsWritten),
            ("$skipped", r.RowsSkipped), ("$failed", r.RowsFailed), ("$attempts", r.Attempts), ("$backup", backup));

    internal static void MarkUndone(SqliteConnection connection, SqliteTransaction transaction, long runId, string? message) =>
        MarkUndone(new SqliteBatchStatements(connection, transaction), runId, message);

    internal static void MarkUndone(IBatchStatements statements, long runId, string? message) =>
        statements.Execute(
            $"UPDATE {JournalTables.Runs} SET status = 'Undone', undone_at = $now, message = coalesce($message, message) WHERE run_id = $run",
            ("$now", JournalClock.Now()), ("$message", message), ("$run", runId));

    internal static string StatusText(RunStatus status) => status.ToString();

    internal static RunStatus ParseStatus(string text) =>
        Enum.TryParse<RunStatus>(text, ignoreCase: false, out var s) ? s
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The journal holds an unknown run status '{text}'."));
}
