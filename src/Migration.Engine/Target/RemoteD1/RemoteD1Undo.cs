using Migration.Engine.Journal;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Undo for a remote D1: the tables the run created are dropped and the tables it found empty
/// are emptied, in one request with the run marked undone. Rows written into tables that held
/// rows before have no before-images here (no TEMP triggers over the API): the plan says so and
/// refuses unless forced; D1 Time Travel is the way back for those.
/// </summary>
public sealed class RemoteD1Undo(Func<IJournalConnection> open) : IUndoStrategy
{
    public void Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows) { }

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
        foreach (var t in run.TableProgress.Where(t => !t.Created))
        {
            if (emptyBefore.Contains(t.Table))
                actions.Add(new UndoAction(runId, t.Table, DropTable: false, t.RowsWritten, 0, Done: false) { EmptiesTable = true });
            else if (t.RowsWritten > 0)
                blockers.Add($"{t.Table} held rows before run {runId}; a remote run keeps no before-images of it, so only D1 Time Travel can take its {t.RowsWritten} row(s) back");
        }
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

    public IReadOnlyList<UndoAction> Undo(long runId, bool force = false)
    {
        using var journal = open();
        var plan = Plan(journal, runId);
        if (plan.AlreadyUndone) return [];
        if (!force && plan.Refusal(false) is { } refusal) throw new InvalidOperationException(refusal);
        journal.Write(s =>
        {
            foreach (var a in plan.Actions.Where(a => a.EmptiesTable)) s.Execute("DELETE FROM " + Schema.SqlQuote.Identifier(a.Table));
            foreach (var a in plan.Actions.Where(a => a.DropTable)) s.Execute("DROP TABLE IF EXISTS " + Schema.SqlQuote.Identifier(a.Table));
            JournalStore.MarkUndone(s, runId, null);
        });
        return [.. plan.Actions.Select(a => a with { Done = true })];
    }
}
