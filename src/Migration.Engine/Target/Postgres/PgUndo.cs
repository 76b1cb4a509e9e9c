using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// Undoes a D1 -> PostgreSQL run: deletes the rows its batches wrote (children first, i.e. the
/// tables in the reverse of the order the run wrote them) and the id-map entries it made, and
/// marks it Undone, all in one transaction. A batch's rows are found by the id of the
/// transaction that committed them (recorded with the batch: every row of a batch is written
/// at the transaction's top level), so undo needs no per-row log.
/// </summary>
/// <remarks>
/// A row the run merged into (a second D1 table updating a row the first one wrote) is the run's
/// and is deleted; a row that existed before the run and was updated by a merge carries the
/// run's transaction id too and is deleted as well: <see cref="Plan"/> counts such rows so the
/// operator sees it first. A row changed after the run has a newer transaction id and is kept.
/// </remarks>
public sealed class PgUndo(PgConnectionSettings settings, string? journalSchema = null) : IUndoStrategy
{
    readonly PgJournal _journal = new(journalSchema);

    /// <summary>Per table (in the order undo deletes): the rows of the run that are still there.</summary>
    public IReadOnlyList<UndoAction> Plan(long runId) => Run(runId, apply: false);

    public IReadOnlyList<UndoAction> Undo(long runId) => Run(runId, apply: true);

    /// <summary>The newest run not undone (for -Last), or null.</summary>
    public long? Last()
    {
        using var connection = settings.OpenConnection();
        if (!_journal.Exists(connection)) return null;
        return _journal.Find(connection, null)?.RunId;
    }

    /// <summary>Nothing to arm: every row of a batch carries the batch's transaction id.</summary>
    void IUndoStrategy.Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows) { }

    long? IUndoStrategy.LastRun() => Last();

    UndoPlan IUndoStrategy.Plan(long runId)
    {
        MigrationRunInfo run;
        using (var connection = settings.OpenConnection())
            run = (_journal.Exists(connection) ? _journal.ReadRuns(connection, settings.Describe(), runId).FirstOrDefault() : null)
                ?? throw new InvalidOperationException($"There is no run {runId} in {settings.Describe()}.");
        return new UndoPlan(run, run.State == RunStatus.Undone ? [] : Plan(runId), []);
    }

    /// <summary>Undo here is never blocked by later runs (each deletes only its own transactions' rows): <paramref name="force"/> changes nothing.</summary>
    IReadOnlyList<UndoAction> IUndoStrategy.Undo(long runId, bool force) => Undo(runId);

    IReadOnlyList<UndoAction> Run(long runId, bool apply)
    {
        using var connection = settings.OpenConnection();
        if (!_journal.Exists(connection)) throw new InvalidOperationException($"There is no migration journal in {settings.Describe()}.");
        using var tx = connection.BeginTransaction();
        var found = _journal.Find(connection, runId) ?? throw new InvalidOperationException($"There is no run {runId} in {settings.Describe()}.");
        if (found.Status == RunStatus.Undone) throw new InvalidOperationException($"Run {runId} in {settings.Describe()} was undone already.");
        var tables = new List<(string Table, long[] Xids)>();
        using (var cmd = new NpgsqlCommand($"""
            SELECT target_table, array_agg(DISTINCT xid % 4294967296) FROM {_journal.Batches} WHERE run_id = $1
            GROUP BY target_table ORDER BY max(committed_at) DESC
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue(runId);
            using var r = cmd.ExecuteReader();
            while (r.Read()) tables.Add((r.GetString(0), r.GetFieldValue<long[]>(1)));
        }
        var actions = new List<UndoAction>();
        foreach (var (table, xids) in tables)
        {
            var name = table.Contains('.', StringComparison.Ordinal) ? SqlQuote.Qualified(table[..table.IndexOf('.')], table[(table.IndexOf('.') + 1)..]) : SqlQuote.Qualified("public", table);
            var sql = apply
                ? $"DELETE FROM {name} WHERE xmin::text::bigint = ANY($1)"
                : $"SELECT count(*) FROM {name} WHERE xmin::text::bigint = ANY($1)";
            using var cmd = new NpgsqlCommand(sql, connection, tx);
            cmd.Parameters.AddWithValue(xids);
            long n;
            try { n = apply ? cmd.ExecuteNonQuery() : (long)cmd.ExecuteScalar()!; }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // One transaction: nothing was changed.
                throw new InvalidOperationException($"Undo of run {runId} stopped at table {table}, and nothing was changed: {ex.MessageText}. "
                    + "A row that references the run's rows was changed or added after the run (it carries a newer transaction id, so undo keeps it); delete or fix that row first.", ex);
            }
            actions.Add(new UndoAction(runId, table, DropTable: false, RowsToDelete: n, RowsToRestore: 0, Done: apply));
        }
        if (apply)
        {
            using (var ids = new NpgsqlCommand($"DELETE FROM {_journal.IdMap} WHERE run_id = $1", connection, tx))
            {
                ids.Parameters.AddWithValue(runId);
                ids.ExecuteNonQuery();
            }
            using var mark = new NpgsqlCommand($"UPDATE {_journal.Runs} SET status = 'Undone', undone_at = clock_timestamp() WHERE run_id = $1", connection, tx);
            mark.Parameters.AddWithValue(runId);
            mark.ExecuteNonQuery();
            tx.Commit();
        }
        return actions;
    }
}
