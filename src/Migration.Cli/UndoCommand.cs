using System.Globalization;
using Migration.Engine.Journal;

namespace Migration.Cli;

/// <summary>
/// <c>migration undo</c>: Undo-Migration in one process. <c>--what-if</c> prints what would be
/// deleted, restored and dropped; <c>--force</c> undoes a run even when a newer one wrote to
/// the same tables; <c>--restore-backup</c> copies the run's backup back instead.
/// </summary>
static class UndoCommand
{
    public static int Run(CliArguments a)
    {
        a.AllowOnly(["path", "run-id", "last", "force", "restore-backup", "what-if"]);
        var path = Path.GetFullPath(a.Required("path"));
        long runId;
        if (a.One("run-id") is { } id) runId = long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);
        else if (a.Flag("last")) runId = MigrationUndo.LastRun(path) ?? throw new ArgumentException($"There is no run to undo in {path}.");
        else throw new ArgumentException("--run-id N or --last is required.");
        var force = a.Flag("force");

        var plan = MigrationUndo.Plan(path, runId);
        if (plan.AlreadyUndone)
        {
            Console.WriteLine($"Run {runId} is undone already; nothing to do.");
            return 0;
        }
        if (a.Flag("what-if"))
        {
            foreach (var action in plan.Actions) Console.WriteLine($"What if: table {action.Table}: {action.Description}");
            foreach (var blocker in plan.Blockers) Console.WriteLine($"Blocked: {blocker}{(force ? " (forced)" : "")}");
            return 0;
        }
        var done = a.Flag("restore-backup") ? MigrationUndo.RestoreBackup(path, runId, force) : MigrationUndo.Undo(path, runId, force);
        foreach (var action in done) Console.WriteLine($"table {action.Table}: {action.Description}");
        Console.WriteLine($"Run {runId} undone.");
        return 0;
    }
}
