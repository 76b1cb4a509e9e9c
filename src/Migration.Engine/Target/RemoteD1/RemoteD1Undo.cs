using Migration.Engine.Journal;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Undo for a remote D1, as locally: the changes the run made to tables that held rows are
/// reverted from its undo log (<see cref="D1UndoLog"/>: rows it inserted deleted, rows it
/// replaced or updated restored bit for bit), the tables it found empty are emptied and the
/// tables it created dropped, and the run is marked undone. A table whose changes were not
/// logged (a WITHOUT ROWID or virtual table, or a run of a version that kept no remote log)
/// blocks the undo unless forced; D1 Time Travel is the way back for those.
/// </summary>
public sealed class RemoteD1Undo(Func<IJournalConnection> open) : IUndoStrategy
{
    public void Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows)
    {
        if (target is not RemoteD1Target remote)
            throw new ArgumentException("The remote undo log arms a remote D1 target only.", nameof(target));
        if (tablesWithRows.Count == 0) return;
        using var journal = open();
        remote.LogChanges(runId, [.. tablesWithRows.Order(StringComparer.Ordinal).Select(t => D1UndoLog.Describe(journal, t)).OfType<D1UndoLog.LoggedTable>()]);
    }

    public long? LastRun()
    {
        using var journal = open();
        return JournalTables.Exist(journal) ? JournalStore.LastRunNotUndone(journal) : null;
    }

    public UndoPlan Plan(long runId)
    {
        using var journal = open();
        return Plan(journal, runId);
    }

    static UndoPlan Plan(IJournalConnection journal, long runId)
    {
        var runs = JournalStore.GetRuns(journal, null);
        var run = runs.Find(r => r.RunId == runId) ?? throw new InvalidOperationException($"There is no run {runId} in {journal.Location}.");
        if (run.State == RunStatus.Undone) return new UndoPlan(run, [], []);
        var emptyBefore = new HashSet<string>(JournalStore.RunTableList(journal, runId, "empty_before"), StringComparer.OrdinalIgnoreCase);
        var actions = new List<UndoAction>();
        var blockers = new List<string>();
        foreach (var t in run.TableProgress.Where(t => t.Created).Reverse())
            actions.Add(new UndoAction(runId, t.Table, DropTable: true, t.RowsWritten, 0, Done: false));
        var logged = D1UndoLog.Counts(journal, runId);
        foreach (var (table, (insert, restore)) in logged.OrderBy(c => c.Key, StringComparer.Ordinal))
            actions.Add(new UndoAction(runId, table, DropTable: false, insert, restore, Done: false));
        foreach (var t in run.TableProgress.Where(t => !t.Created))
        {
            if (emptyBefore.Contains(t.Table))
                actions.Add(new UndoAction(runId, t.Table, DropTable: false, t.RowsWritten, 0, Done: false) { EmptiesTable = true });
            else if (t.RowsWritten > 0 && !logged.ContainsKey(t.Table))
                blockers.Add($"{t.Table} held rows before run {runId} and the run logged no row images of it (a WITHOUT ROWID or virtual table, or a run by an older version), so only D1 Time Travel can take its {t.RowsWritten} row(s) back");
        }
        AddedSince(journal, runId, actions.Where(a => a.DropTable || a.EmptiesTable).ToList(), blockers);
        var newer = false;
        var touched = run.TableProgress.Select(t => t.Table).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var later in runs.Where(r => r.RunId > runId && r.State != RunStatus.Undone))
        {
            var shared = later.TableProgress.Select(t => t.Table).Where(touched.Contains).ToList();
            if (shared.Count == 0) continue;
            blockers.Add($"run {later.RunId} ({later.Status}) also wrote to {string.Join(", ", shared)}");
            newer = true;
        }
        return new UndoPlan(run, actions, blockers) { BlockedByNewerRuns = newer };
    }

    /// <summary>
    /// A table the undo empties or drops must hold no more rows than the run wrote into it: more
    /// means rows were added since, and emptying it would delete them too. (Locally the table's
    /// content hash proves it; over the API the tables' counts are one request. A row changed in
    /// place since is not detected here: the journal's per-batch checksums and
    /// Test-MigrationIntegrity are the way to see those.) A table gone already has nothing to lose.
    /// </summary>
    static void AddedSince(IJournalConnection journal, long runId, IReadOnlyList<UndoAction> wholeTables, List<string> blockers)
    {
        if (wholeTables.Count == 0) return;
        var existing = journal.Query("SELECT name FROM sqlite_schema WHERE type = 'table'").Select(r => (string)r[0]!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var present = wholeTables.Where(a => existing.Contains(a.Table)).ToList();
        if (present.Count == 0) return;
        var counts = journal.Query(string.Join(" UNION ALL ", present.Select((a, i) =>
            $"SELECT {i.ToString(System.Globalization.CultureInfo.InvariantCulture)}, count(*) FROM {Schema.SqlQuote.Identifier(a.Table)}")));
        foreach (var row in counts)
        {
            var a = present[(int)System.Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture)];
            var rows = System.Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture);
            if (rows > a.RowsToDelete)
                blockers.Add($"{a.Table} ({(a.DropTable ? "created by" : "empty before")} run {runId}) holds {rows} row(s) and the run wrote {a.RowsToDelete}: rows were added since, and undo would delete them too (force it to empty the table anyway)");
        }
    }

    public IReadOnlyList<UndoAction> Undo(long runId, bool force = false)
    {
        using var journal = open();
        var plan = Plan(journal, runId);
        if (plan.AlreadyUndone) return [];
        if (!force && plan.Refusal(false) is { } refusal) throw new InvalidOperationException(refusal);
        D1UndoLog.Revert(journal, runId, s =>
        {
            foreach (var a in plan.Actions.Where(a => a.EmptiesTable)) s.Execute("DELETE FROM " + Schema.SqlQuote.Identifier(a.Table));
            foreach (var a in plan.Actions.Where(a => a.DropTable)) s.Execute("DROP TABLE IF EXISTS " + Schema.SqlQuote.Identifier(a.Table));
            JournalStore.MarkUndone(s, runId, null);
        });
        return [.. plan.Actions.Select(a => a with { Done = true })];
    }
}
