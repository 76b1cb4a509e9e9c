using System.Management.Automation;
using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Target.RemoteD1;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>Undo-Migration -TimeTravel: a remote D1 run taken back by restoring D1 Time Travel to the bookmark the run recorded.</summary>
internal static class TimeTravelUndo
{
    /// <summary>
    /// Restores the Time Travel bookmark the run recorded. What it reverts is the whole database
    /// since that moment, so -WhatIf and the confirmation say so and name the later runs; the
    /// plan's refusals (newer runs, tables that held rows) do not apply, it reverts them too.
    /// </summary>
    public static void Run(UndoMigrationCommand cmdlet, RemoteD1Database database, string path, long runId, UndoPlan plan)
    {
        string? bookmark;
        IReadOnlyList<MigrationRunInfo> later;
        try
        {
            bookmark = database.TimeTravelBookmark(runId);
            later = [.. database.GetRuns().Where(r => r.RunId > runId)];
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(ex.Message), "RunNotFound", ErrorCategory.ObjectNotFound, runId));
            return;
        }
        if (bookmark is null)
        {
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException($"Run {runId} in {path} recorded no Time Travel bookmark (it was journaled before bookmarks were kept); restore a point in time with wrangler d1 time-travel restore --timestamp."),
                "NoBookmark", ErrorCategory.ObjectNotFound, runId));
            return;
        }
        var others = later.Count == 0 ? "" : $", including run(s) {string.Join(", ", later.Select(r => r.RunId))} of the journal";
        var what = $"Restore D1 Time Travel bookmark {bookmark} (taken before run {runId} first wrote): this reverts run {runId} AND EVERY OTHER WRITE to the whole database since then{others}, by any client (other tools, Workers, the dashboard), and the journal forgets run {runId} and every later run";
        if (cmdlet.WhatIfRequested())
        {
            cmdlet.ShouldProcess($"the whole database \"{path}\"", what);
            return;
        }
        if (!cmdlet.ShouldProcess($"the whole database \"{path}\"", what)) return;
        D1RestoreResult restored;
        try
        {
            restored = database.RestoreTimeTravel(bookmark);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(ex.Message), "UndoFailed", ErrorCategory.WriteError, runId));
            return;
        }
        cmdlet.WriteVerbose($"Restored {path} to Time Travel bookmark {restored.Bookmark}; restoring bookmark {restored.PreviousBookmark} undoes this restore.");
        foreach (var t in plan.Run.TableProgress)
            cmdlet.WriteObject(new UndoAction(runId, t.Table, t.Created, t.RowsWritten, 0, Done: true));
    }
}
