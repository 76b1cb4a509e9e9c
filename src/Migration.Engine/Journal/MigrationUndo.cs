using Migration.Engine.Schema;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// Returns a target to its state before a run: the run's undo log is reverted (rows it inserted
/// into older tables deleted, rows it replaced or updated restored bit for bit), the tables it
/// found empty are emptied again and the tables it created are dropped, all in one transaction. Or, for a run started with a backup, the backup
/// is copied back over the database.
/// </summary>
/// <remarks>
/// Undoing a run that is already undone changes nothing. A run older than another run that
/// wrote to the same tables and is not undone is refused unless forced: reverting it under the
/// newer run's rows would mix two states.
/// </remarks>
public static class MigrationUndo
{
    /// <summary>What undoing the run would do, without changing anything.</summary>
    public static UndoPlan Plan(string path, long runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JournalTables.Read(path, c => Plan(c, path, runId, null));
    }

    /// <summary>The newest run that is not undone, or null.</summary>
    public static long? LastRun(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JournalTables.Read(path, connection =>
        {
            if (!JournalTables.Exist(connection)) return null;
            return JournalStore.LastRunNotUndone(connection);
        });
    }

    /// <summary>Undoes the run and returns what was done per table (empty when it was undone already).</summary>
    /// <exception cref="InvalidOperationException">A newer run stands in the way and <paramref name="force"/> is not set, or the run is unknown.</exception>
    public static IReadOnlyList<UndoAction> Undo(string path, long runId, bool force = false)
    {
        using var connection = Open(path, readOnly: false);
        // Foreign keys off: the undo log holds every cascade the run caused, and replaying it must not cascade again.
        Execute(connection, null, "PRAGMA foreign_keys = OFF");
        using var transaction = connection.BeginTransaction(deferred: false);
        var plan = Plan(connection, path, runId, transaction);
        if (plan.AlreadyUndone) return [];
        ThrowIfBlocked(plan, force);

        UndoReplay.Revert(connection, transaction, runId, null);
        foreach (var action in plan.Actions.Where(a => a.EmptiesTable))
            Execute(connection, transaction, "DELETE FROM " + SqlQuote.Identifier(action.Table));
        foreach (var action in plan.Actions.Where(a => a.DropTable))
            Execute(connection, transaction, "DROP TABLE IF EXISTS " + SqlQuote.Identifier(action.Table));
        JournalStore.MarkUndone(connection, transaction, runId, null);
        transaction.Commit();
        return [.. plan.Actions.Select(a => a with { Done = true })];
    }

    /// <summary>
    /// Undoes a run started with a backup by copying the backup back over the whole database
    /// (SQLite backup API), then records the run as undone. Every later change to the file is
    /// lost with it, so a newer run that is not undone blocks this unless forced.
    /// </summary>
    public static IReadOnlyList<UndoAction> RestoreBackup(string path, long runId, bool force = false)
    {
        var plan = Plan(path, runId);
        if (plan.AlreadyUndone) return [];
        var backup = plan.Run.BackupPath ?? throw new InvalidOperationException($"Run {runId} was started without a backup; undo it from its journal instead.");
        if (!File.Exists(backup)) throw new FileNotFoundException($"The backup of run {runId} is gone: {backup}.", backup);
        ThrowIfBlocked(plan, force, backupRestore: true);

        using var connection = Open(path, readOnly: false);
        using (var source = SqliteTarget.OpenConnection(backup, readOnly: true)) source.BackupDatabase(connection);
        JournalTables.Ensure(connection);
        using var transaction = connection.BeginTransaction();
        // The backup predates the run, so its journal does not know it: the run is written back, as undone.
        JournalStore.WriteRunBack(connection, transaction, plan.Run, backup);
        JournalStore.MarkUndone(connection, transaction, runId, "restored from the backup " + backup);
        transaction.Commit();
        return [.. plan.Actions.Select(a => a with { Done = true })];
    }

    static void ThrowIfBlocked(UndoPlan plan, bool force, bool backupRestore = false)
    {
        if (!force && plan.Refusal(backupRestore) is { } refusal) throw new InvalidOperationException(refusal);
    }

    static UndoPlan Plan(SqliteConnection connection, string path, long runId, SqliteTransaction? transaction)
    {
        var runs = JournalTables.Exist(connection) ? JournalStore.GetRuns(connection, path, null, transaction) : [];
        var run = runs.Find(r => r.RunId == runId) ?? throw new InvalidOperationException($"There is no run {runId} in {path}.");
        if (run.State == RunStatus.Undone) return new UndoPlan(run, [], []);

        var touched = new HashSet<string>(run.TableProgress.Select(t => t.Table), StringComparer.OrdinalIgnoreCase);
        var counts = JournalStore.UndoLogCounts(connection, transaction, runId);
        touched.UnionWith(counts.Keys);

        var actions = new List<UndoAction>();
        foreach (var orphan in UnrecordedCreatedTables(connection, transaction, run, runs))
            actions.Add(new UndoAction(runId, orphan, DropTable: true, 0, 0, Done: false));
        // Children are usually created after their parents: drop in reverse order of creation.
        foreach (var t in run.TableProgress.Where(t => t.Created).Reverse())
            actions.Add(new UndoAction(runId, t.Table, DropTable: true, t.RowsWritten, 0, Done: false));
        foreach (var (table, (insert, restore)) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            actions.Add(new UndoAction(runId, table, DropTable: false, insert, restore, Done: false));

        var blockers = new List<string>();
        var newerRuns = false;
        foreach (var table in FoundEmpty(connection, transaction, run))
        {
            var (rows, proof) = EmptyTableProof(connection, transaction, runId, table);
            actions.Add(new UndoAction(runId, table, DropTable: false, rows, 0, Done: false) { EmptiesTable = true });
            if (proof is not null) blockers.Add(proof);
        }
        foreach (var newer in runs.Where(r => r.RunId > runId && r.State != RunStatus.Undone))
        {
            var shared = newer.TableProgress.Select(t => t.Table).Where(touched.Contains).ToList();
            if (shared.Count > 0)
            {
                blockers.Add(string.Create(CultureInfo.InvariantCulture, $"run {newer.RunId} ({newer.Status}) also wrote to {string.Join(", ", shared)}"));
                newerRuns = true;
            }
        }
        return new UndoPlan(run, actions, blockers) { BlockedByNewerRuns = newerRuns };
    }

    /// <summary>The tables the run wrote to that existed but were empty when it started (and still exist).</summary>
    static List<string> FoundEmpty(SqliteConnection connection, SqliteTransaction? transaction, MigrationRunInfo run)
    {
        // A journal from before empty_before existed (read without being upgraded): its runs
        // logged every older table row by row, so none is undone by emptying it.
        if (!JournalTables.HasColumn(connection, transaction, JournalTables.Runs, "empty_before")) return [];
        var emptyBefore = new HashSet<string>(JournalStore.RunTableList(connection, transaction, run.RunId, "empty_before"), StringComparer.OrdinalIgnoreCase);
        var existing = new HashSet<string>(JournalTables.DataTables(connection, transaction), StringComparer.OrdinalIgnoreCase);
        return [.. run.TableProgress.Where(t => !t.Created && emptyBefore.Contains(t.Table) && existing.Contains(t.Table)).Select(t => t.Table)];
    }

    /// <summary>
    /// A table the run found empty has no per-row undo log: undo empties it. That is only the
    /// run's undo if every row in it is one the run wrote, unchanged (<see cref="RunContentProof"/>).
    /// Returns the row count and, when that proof fails, why (a blocker).
    /// </summary>
    static (long Rows, string? Blocker) EmptyTableProof(SqliteConnection connection, SqliteTransaction? transaction, long runId, string table)
    {
        long rows;
        using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM " + SqlQuote.Identifier(table);
            rows = (long)count.ExecuteScalar()!;
        }
        if (rows == 0) return (0, null);
        var (columnsJson, checksum) = JournalStore.TableChecksum(connection, transaction, runId, table);
        return RunContentProof.Check(connection, transaction, table, columnsJson, checksum) is { } disproof
            ? (rows, string.Create(CultureInfo.InvariantCulture, $"{table} was empty before run {runId} and now holds {rows} rows") + disproof.Reason)
            : (rows, null);
    }

    /// <summary>
    /// Tables a killed run created before its first batch committed: not in the run's journal.
    /// Only an empty table that appeared after the run started, that no run recorded and that
    /// no later run found already there is taken for one.
    /// </summary>
    static List<string> UnrecordedCreatedTables(SqliteConnection connection, SqliteTransaction? transaction, MigrationRunInfo run, List<MigrationRunInfo> runs)
    {
        var known = new HashSet<string>(JournalStore.RunTableList(connection, transaction, run.RunId, "tables_before"), StringComparer.OrdinalIgnoreCase);
        foreach (var r in runs) known.UnionWith(r.TableProgress.Select(t => t.Table));
        var later = runs.Any(r => r.RunId > run.RunId);
        if (later) return []; // a later run's own snapshot would list them as older tables: leave them
        var list = new List<string>();
        foreach (var table in JournalTables.DataTables(connection, transaction))
        {
            if (known.Contains(table)) continue;
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = "SELECT EXISTS (SELECT 1 FROM " + SqlQuote.Identifier(table) + ")";
            if ((long)count.ExecuteScalar()! == 0) list.Add(table);
        }
        return list;
    }

    static SqliteConnection Open(string path, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no database at {path}.", path);
        return SqliteTarget.OpenConnection(path, readOnly);
    }

    static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
