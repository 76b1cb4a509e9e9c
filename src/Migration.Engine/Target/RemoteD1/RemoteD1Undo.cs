using System.Globalization;
using Migration.Engine.Cloudflare;
using Migration.Engine.Integrity;
using Migration.Engine.Journal;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Undo for a remote D1, as locally: the changes the run made to tables that held rows are
/// reverted from its undo log (<see cref="D1UndoLog"/>: rows it inserted deleted, rows it
/// replaced or updated restored bit for bit), the tables it found empty are emptied and the
/// tables it created dropped, and the run is marked undone. A table whose changes were not
/// logged (a WITHOUT ROWID or virtual table, or a run of a version that kept no remote log)
/// blocks the undo unless forced; D1 Time Travel is the way back for those. A table emptied or
/// dropped as a whole must still hold exactly the run's rows (<see cref="ChangedSince"/>).
/// </summary>
/// <param name="client">The database (its tables are read through <c>/raw</c> to prove them the run's).</param>
/// <param name="open">A connection to the journal kept in it.</param>
public sealed class RemoteD1Undo(D1DatabaseClient client, Func<IJournalConnection> open) : IUndoStrategy
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

    UndoPlan Plan(IJournalConnection journal, long runId)
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
        ChangedSince(journal, runId, actions.Where(a => a.DropTable || a.EmptiesTable).ToList(), blockers);
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
    /// A table the undo empties or drops must hold exactly the rows the run wrote into it, unchanged,
    /// as locally: first the cheap test, all tables' counts in one request (more rows than the run
    /// wrote: rows were added since); then the tables that still hold rows are read through
    /// <c>/raw</c> (<see cref="RemoteD1Mirror"/>, Test-MigrationIntegrity's reader) and their
    /// content hash compared with the run's checksum (<see cref="RunContentProof"/>, the local
    /// undo's proof): a row changed in place since (the app went live on D1) would otherwise be
    /// lost without a word. A table gone already, or empty, has nothing to lose. A WITHOUT ROWID
    /// table the run created cannot be read in pages: for it only the count speaks. Only the tables
    /// themselves are read (not their foreign-key parents, which the integrity check also reads).
    /// </summary>
    void ChangedSince(IJournalConnection journal, long runId, IReadOnlyList<UndoAction> wholeTables, List<string> blockers)
    {
        if (wholeTables.Count == 0) return;
        var existing = journal.Query("SELECT name FROM sqlite_schema WHERE type = 'table'").Select(r => (string)r[0]!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var present = wholeTables.Where(a => existing.Contains(a.Table)).ToList();
        if (present.Count == 0) return;
        var counts = journal.Query(string.Join(" UNION ALL ", present.Select((a, i) =>
            $"SELECT {i.ToString(CultureInfo.InvariantCulture)}, count(*) FROM {Schema.SqlQuote.Identifier(a.Table)}")));
        var toRead = new List<(UndoAction Action, long Rows)>();
        foreach (var row in counts)
        {
            var a = present[(int)System.Convert.ToInt64(row[0], CultureInfo.InvariantCulture)];
            var rows = System.Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
            if (rows > a.RowsToDelete)
                blockers.Add($"{Held(a, runId, rows)} and the run wrote {a.RowsToDelete}: rows were added since, and undo would delete them too ({ForceIt(a)})");
            else if (rows > 0)
                toRead.Add((a, rows));
        }
        if (toRead.Count == 0) return;
        using var mirror = Mirror(toRead.Select(t => t.Action.Table));
        if (mirror is null)
        {
            // One of them has no rowid to page by: each alone, so the others are still proven.
            foreach (var t in toRead) Prove(journal, runId, t.Action, t.Rows, blockers);
            return;
        }
        foreach (var t in toRead) Prove(journal, runId, t.Action, t.Rows, blockers, mirror);
    }

    void Prove(IJournalConnection journal, long runId, UndoAction a, long rows, List<string> blockers, RemoteD1Mirror? mirror = null)
    {
        using var own = mirror is null ? Mirror([a.Table]) : null;
        var copy = mirror ?? own;
        if (copy is null) return; // WITHOUT ROWID: the count above is all that can be said
        var (columns, checksum) = JournalStore.TableChecksum(journal, runId, a.Table);
        using var connection = SqliteTarget.OpenConnection(copy.Path, readOnly: true);
        if (RunContentProof.Check(connection, null, a.Table, columns, checksum) is not { } disproof) return;
        blockers.Add(disproof.Changed
            ? $"{Held(a, runId, rows)} and the run wrote {a.RowsToDelete}: rows were changed since the run (the table's content differs from what the run wrote), and undo would lose those changes ({ForceIt(a)})"
            : $"{Held(a, runId, rows)}{disproof.Reason} ({ForceIt(a)})");
    }

    /// <summary>The tables read through <c>/raw</c>, or null when one cannot be read in pages (WITHOUT ROWID).</summary>
    RemoteD1Mirror? Mirror(IEnumerable<string> tables)
    {
        try { return RemoteD1Mirror.Create(client, tables, withParents: false); }
        catch (InvalidOperationException ex) when (ex.Message.Contains("WITHOUT ROWID", StringComparison.Ordinal)) { return null; }
    }

    static string Held(UndoAction a, long runId, long rows) =>
        string.Create(CultureInfo.InvariantCulture, $"{a.Table} ({(a.DropTable ? "created by" : "empty before")} run {runId}) holds {rows} row(s)");

    static string ForceIt(UndoAction a) => $"force it to {(a.DropTable ? "drop" : "empty")} the table anyway";

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
