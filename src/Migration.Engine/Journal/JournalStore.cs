using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target;

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
        using var connection = SqliteTarget.OpenConnection(path, readOnly: false);
        JournalTables.Ensure(connection);
        return start.Resume ? Resume(path, connection, start) : Begin(path, connection, start);
    }

    static MigrationRun Begin(string path, SqliteConnection connection, RunStart start)
    {
        if (start.RunId is not null) throw new ArgumentException("A run id is given only to resume that run.", nameof(start));
        if (start.BackupPath is { } backup)
        {
            if (!System.IO.Path.IsPathFullyQualified(backup)) throw new ArgumentException($"The backup must be a full filesystem path, not \"{backup}\".", nameof(start));
            if (File.Exists(backup)) throw new IOException($"The backup file {backup} already exists; it is never overwritten.");
            // The SQLite backup API: a consistent copy even of a WAL-mode file another process reads.
            using var copy = SqliteTarget.OpenConnection(backup, readOnly: false);
            connection.BackupDatabase(copy);
        }
        var tablesBefore = JournalTables.DataTables(connection);
        var emptyBefore = tablesBefore.Where(t => IsEmptyRowidTable(connection, t)).ToList();
        using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO {JournalTables.Runs} (started_at, status, source, tables, options, tables_before, empty_before, backup_path)
            VALUES ($now, 'Running', $source, $tables, $options, $before, $empty, $backup) RETURNING run_id
            """;
        insert.Parameters.AddWithValue("$now", JournalClock.Now());
        insert.Parameters.AddWithValue("$source", (object?)start.Source ?? DBNull.Value);
        insert.Parameters.AddWithValue("$tables", JsonSerializer.Serialize(start.Tables.ToArray()));
        insert.Parameters.AddWithValue("$options", start.Options);
        insert.Parameters.AddWithValue("$before", JsonSerializer.Serialize(tablesBefore.ToArray()));
        insert.Parameters.AddWithValue("$empty", JsonSerializer.Serialize(emptyBefore.ToArray()));
        insert.Parameters.AddWithValue("$backup", (object?)start.BackupPath ?? DBNull.Value);
        var runId = (long)insert.ExecuteScalar()!;
        return new MigrationRun(path, runId, resumed: false, RunStatus.Running, attempts: 1, tablesBefore, emptyBefore, new(StringComparer.OrdinalIgnoreCase),
            new(StringComparer.OrdinalIgnoreCase), WithoutRowidTables(connection, tablesBefore));
    }

    /// <summary>
    /// A table that existed but held no rows (e.g. made by <c>wrangler d1 migrations apply</c>
    /// before the load): every row in it after the run is the run's, so it needs no per-row undo
    /// log. Undo empties it again, after proving from the run's checksums that it holds nothing
    /// else (see <see cref="MigrationUndo"/>). Virtual and WITHOUT ROWID tables keep the usual rules.
    /// </summary>
    static bool IsEmptyRowidTable(SqliteConnection connection, string table)
    {
        if (!UndoLogTriggers.IsPlainTable(connection, table) || UndoLogTriggers.IsWithoutRowid(connection, null, table)) return false;
        using var any = connection.CreateCommand();
        any.CommandText = "SELECT EXISTS (SELECT 1 FROM " + SqlQuote.Identifier(table) + ")";
        return (long)any.ExecuteScalar()! == 0;
    }

    static MigrationRun Resume(string path, SqliteConnection connection, RunStart start)
    {
        using var transaction = connection.BeginTransaction();
        long runId;
        using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = start.RunId is null
                ? $"SELECT run_id FROM {JournalTables.Runs} WHERE status <> 'Undone' ORDER BY run_id DESC LIMIT 1"
                : $"SELECT run_id FROM {JournalTables.Runs} WHERE run_id = $run";
            find.Parameters.AddWithValue("$run", start.RunId ?? 0);
            runId = find.ExecuteScalar() as long?
                ?? throw new InvalidOperationException(start.RunId is null
                    ? $"There is no run to resume in {path}."
                    : $"There is no run {start.RunId} in {path}.");
        }
        string status, before, empty;
        int attempts;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT status, tables_before, attempts, empty_before FROM {JournalTables.Runs} WHERE run_id = $run";
            read.Parameters.AddWithValue("$run", runId);
            using var r = read.ExecuteReader();
            r.Read();
            (status, before, attempts, empty) = (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3));
        }
        var state = ParseStatus(status);
        if (state == RunStatus.Undone)
            throw new InvalidOperationException($"Run {runId} in {path} was undone; start a new run instead of resuming it.");
        var tablesBefore = JsonSerializer.Deserialize<string[]>(before) ?? [];
        var emptyBefore = JsonSerializer.Deserialize<string[]>(empty) ?? [];
        List<string> restarted = [];
        if (!state.IsComplete())
        {
            attempts++;
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = $"UPDATE {JournalTables.Runs} SET status = 'Running', attempts = $attempts, finished_at = NULL, message = NULL WHERE run_id = $run";
            update.Parameters.AddWithValue("$attempts", attempts);
            update.Parameters.AddWithValue("$run", runId);
            update.ExecuteNonQuery();
            restarted = RestartKeylessTables(connection, transaction, runId, tablesBefore, emptyBefore);
        }
        var checkpoints = Checkpoints(connection, transaction, runId);
        var recorded = TableRecords(connection, transaction, runId);
        transaction.Commit();
        return new MigrationRun(path, runId, resumed: true, state, attempts, tablesBefore, emptyBefore, checkpoints, recorded, WithoutRowidTables(connection, tablesBefore))
        {
            RestartedTables = restarted,
        };
    }

    /// <summary>
    /// A table without a key has no checkpoint to continue after, so a resumed run writes it
    /// again from its start: the rows the run already put there are taken out first (a table
    /// the run created or found empty is emptied; in an older table the run's undo log is
    /// reverted). Foreign keys are off on this connection (SQLite's default), so nothing cascades.
    /// </summary>
    static List<string> RestartKeylessTables(SqliteConnection connection, SqliteTransaction transaction, long runId, string[] tablesBefore, string[] emptyBefore)
    {
        var keyless = new List<(string Table, bool Created)>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT table_name, created FROM {JournalTables.RunTables} WHERE run_id = $run AND key_columns = '[]' AND batches > 0";
            read.Parameters.AddWithValue("$run", runId);
            using var r = read.ExecuteReader();
            while (r.Read()) keyless.Add((r.GetString(0), r.GetInt64(1) != 0));
        }
        if (keyless.Count == 0) return [];
        foreach (var (table, created) in keyless)
        {
            if ((created && !tablesBefore.Contains(table, StringComparer.OrdinalIgnoreCase)) || emptyBefore.Contains(table, StringComparer.OrdinalIgnoreCase))
            {
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM " + SqlQuote.Identifier(table);
                delete.ExecuteNonQuery();
            }
            else
                UndoReplay.Revert(connection, transaction, runId, table);
            using var reset = connection.CreateCommand();
            reset.Transaction = transaction;
            // The batch count stays, so the rewritten batches get new numbers after the old ones.
            reset.CommandText = $"UPDATE {JournalTables.RunTables} SET rows_written = 0, rows_skipped = 0, rows_failed = 0, last_key = NULL, last_key_image = NULL, columns = NULL, checksum = NULL WHERE run_id = $run AND table_name = $table";
            reset.Parameters.AddWithValue("$run", runId);
            reset.Parameters.AddWithValue("$table", table);
            reset.ExecuteNonQuery();
        }
        return [.. keyless.Select(k => k.Table)];
    }

    static Dictionary<string, object?[]> Checkpoints(SqliteConnection connection, SqliteTransaction transaction, long runId)
    {
        var result = new Dictionary<string, object?[]>(StringComparer.OrdinalIgnoreCase);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT table_name, last_key_image FROM {JournalTables.RunTables} WHERE run_id = $run AND last_key_image IS NOT NULL";
        read.Parameters.AddWithValue("$run", runId);
        using var r = read.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = RowImage.Decode((byte[])r.GetValue(1));
        return result;
    }

    internal static List<MigrationRunInfo> GetRuns(SqliteConnection connection, string path, long? runId, SqliteTransaction? transaction = null)
    {
        if (!JournalTables.Exist(connection)) return [];
        var progress = new Dictionary<long, List<RunTableProgress>>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"""
                SELECT run_id, table_name, source_table, created, batches, rows_written, rows_skipped, rows_failed, last_key
                FROM {JournalTables.RunTables} WHERE $run IS NULL OR run_id = $run ORDER BY run_id, ordinal
                """;
            read.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            using var r = read.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (!progress.TryGetValue(id, out var list)) progress[id] = list = [];
                list.Add(new RunTableProgress(id, r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3) != 0,
                    r.GetInt32(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8)));
            }
        }
        var runs = new List<MigrationRunInfo>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            // A run still going (or killed) has no totals yet: they are summed from its tables.
            read.CommandText = $"""
                SELECT r.run_id, r.status, r.started_at, r.finished_at, r.source, r.tables, r.options,
                       (SELECT coalesce(sum(rows_written), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                       (SELECT coalesce(sum(rows_skipped), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                       (SELECT coalesce(sum(rows_failed), 0) FROM {JournalTables.RunTables} t WHERE t.run_id = r.run_id),
                       (SELECT count(*) FROM {JournalTables.Quarantine} q WHERE q.run_id = r.run_id),
                       r.attempts, r.backup_path, r.undone_at, r.message
                FROM {JournalTables.Runs} r WHERE $run IS NULL OR r.run_id = $run ORDER BY r.run_id
                """;
            read.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            using var r = read.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                runs.Add(new MigrationRunInfo(path, id, ParseStatus(r.GetString(1)), JournalClock.Parse(r.GetString(2)),
                    JournalClock.ParseOrNull(r.GetValue(3)), r.IsDBNull(4) ? null : r.GetString(4),
                    JsonSerializer.Deserialize<string[]>(r.GetString(5)) ?? [], r.GetString(6),
                    r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt32(11),
                    r.IsDBNull(12) ? null : r.GetString(12), JournalClock.ParseOrNull(r.GetValue(13)),
                    r.IsDBNull(14) ? null : r.GetString(14), progress.GetValueOrDefault(id) ?? []));
            }
        }
        return runs;
    }

    /// <summary>
    /// The checkpoints of a run (default: the newest run not undone, the one
    /// <see cref="RunStart.Resume"/> continues), one per table it wrote; empty when there is none.
    /// </summary>
    internal static IReadOnlyList<ResumePoint> ResumePoints(string path, long? runId)
    {
        return JournalTables.Read(path, connection =>
        {
            if (!JournalTables.Exist(connection)) return new List<ResumePoint>();
            using var read = connection.CreateCommand();
            read.CommandText = $"""
                SELECT t.run_id, t.table_name, t.source_table, t.last_key_image FROM {JournalTables.RunTables} t
                WHERE t.run_id = coalesce($run, (SELECT max(run_id) FROM {JournalTables.Runs} WHERE status <> 'Undone'))
                ORDER BY t.ordinal
                """;
            read.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            using var r = read.ExecuteReader();
            var list = new List<ResumePoint>();
            while (r.Read())
                list.Add(new ResumePoint(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(3) ? null : RowImage.Decode((byte[])r.GetValue(3))));
            return list;
        });
    }

    /// <summary>The rows a run quarantined, in the order they were met.</summary>
    internal static List<QuarantinedRow> Quarantined(SqliteConnection connection, long runId)
    {
        if (!JournalTables.Exist(connection)) return [];
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT run_id, table_name, row_key, column_name, stage, reason, value_excerpt, recorded_at FROM {JournalTables.Quarantine} WHERE run_id = $run ORDER BY id";
        read.Parameters.AddWithValue("$run", runId);
        using var r = read.ExecuteReader();
        var list = new List<QuarantinedRow>();
        while (r.Read())
            list.Add(new QuarantinedRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.GetString(4), r.GetString(5), r.GetString(6), JournalClock.Parse(r.GetString(7))));
        return list;
    }

    /// <summary>What earlier attempts recorded for a run's tables (read when it resumes; a batch's statements cannot read).</summary>
    internal sealed record TableRecord(int Batches, string? Columns, string? Checksum);

    static Dictionary<string, TableRecord> TableRecords(SqliteConnection connection, SqliteTransaction transaction, long runId)
    {
        var result = new Dictionary<string, TableRecord>(StringComparer.OrdinalIgnoreCase);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT table_name, batches, columns, checksum FROM {JournalTables.RunTables} WHERE run_id = $run";
        read.Parameters.AddWithValue("$run", runId);
        using var r = read.ExecuteReader();
        while (r.Read())
            result[r.GetString(0)] = new TableRecord(System.Convert.ToInt32(r.GetInt64(1)), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3));
        return result;
    }

    /// <summary>The tables that existed before the run and are WITHOUT ROWID: a run may not write into them (no undo log).</summary>
    static List<string> WithoutRowidTables(SqliteConnection connection, IEnumerable<string> tablesBefore) =>
        [.. tablesBefore.Where(t => UndoLogTriggers.IsWithoutRowid(connection, null, t))];

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
    internal static void FinishRun(IBatchStatements statements, long runId, RunStatus status, string? message) =>
        statements.Execute($"""
            UPDATE {JournalTables.Runs} SET status = $status, finished_at = $now, message = $message,
                rows_written = (SELECT coalesce(sum(rows_written), 0) FROM {JournalTables.RunTables} WHERE run_id = $run),
                rows_skipped = (SELECT coalesce(sum(rows_skipped), 0) FROM {JournalTables.RunTables} WHERE run_id = $run),
                rows_failed = (SELECT count(*) FROM {JournalTables.Quarantine} WHERE run_id = $run)
            WHERE run_id = $run
            """, ("$status", StatusText(status)), ("$now", JournalClock.Now()), ("$message", message), ("$run", runId));

    /// <summary>The newest run that is not undone, or null.</summary>
    internal static long? LastRunNotUndone(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT max(run_id) FROM {JournalTables.Runs} WHERE status <> 'Undone'";
        return command.ExecuteScalar() as long?;
    }

    /// <summary>A JSON list of table names the run recorded when it started: <c>tables_before</c> or <c>empty_before</c>.</summary>
    internal static string[] RunTableList(SqliteConnection connection, SqliteTransaction? transaction, long runId, string column)
    {
        if (column is not ("tables_before" or "empty_before")) throw new ArgumentOutOfRangeException(nameof(column), column, "Not a table list of the runs table.");
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT {column} FROM {JournalTables.Runs} WHERE run_id = $run";
        read.Parameters.AddWithValue("$run", runId);
        return JsonSerializer.Deserialize<string[]>((string)read.ExecuteScalar()!) ?? [];
    }

    /// <summary>The columns (JSON) and the running checksum the run recorded for a table; nulls when it recorded none.</summary>
    internal static (string? Columns, string? Checksum) TableChecksum(SqliteConnection connection, SqliteTransaction? transaction, long runId, string table)
    {
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT columns, checksum FROM {JournalTables.RunTables} WHERE run_id = $run AND table_name = $table";
        read.Parameters.AddWithValue("$run", runId);
        read.Parameters.AddWithValue("$table", table);
        using var r = read.ExecuteReader();
        return r.Read() ? (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)) : (null, null);
    }

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
        new SqliteBatchStatements(connection, transaction).Execute(
            $"UPDATE {JournalTables.Runs} SET status = 'Undone', undone_at = $now, message = coalesce($message, message) WHERE run_id = $run",
            ("$now", JournalClock.Now()), ("$message", message), ("$run", runId));

    internal static string StatusText(RunStatus status) => status.ToString();

    internal static RunStatus ParseStatus(string text) =>
        Enum.TryParse<RunStatus>(text, ignoreCase: false, out var s) ? s
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The journal holds an unknown run status '{text}'."));
}
