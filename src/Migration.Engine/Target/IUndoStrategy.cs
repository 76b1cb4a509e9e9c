using Migration.Engine.Journal;

namespace Migration.Engine.Target;

/// <summary>
/// How a target undoes a run. Every strategy drops the tables the run created and empties those
/// it found empty (after proving from the run's checksums that they hold only its rows); they
/// differ in how the changes to tables that held rows are taken back. Local
/// (<see cref="LocalUndoLog"/>): TEMP triggers on the writer's connection log a lossless image
/// of each row the run deletes or updates, and the key of each it inserts, in the batch's own
/// transaction; undo replays that log backwards. A remote D1 has neither TEMP triggers nor
/// registered functions: <c>RemoteD1Undo</c> creates the triggers inside each batch's own request
/// and drops them before it ends, with the before-image built in SQL; D1 Time Travel (the
/// bookmark taken when the run started) takes back what no log covers.
/// </summary>
public interface IUndoStrategy
{
    /// <summary>Before the run's first row: arranges that what it changes in <paramref name="tablesWithRows"/> can be taken back.</summary>
    void Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows);

    /// <summary>The newest run that is not undone, or null (none, or no journal).</summary>
    long? LastRun();

    /// <summary>What undoing the run would do, per table (nothing is changed).</summary>
    UndoPlan Plan(long runId);

    /// <summary>Takes the run back; <paramref name="force"/> also when a table changed since.</summary>
    IReadOnlyList<UndoAction> Undo(long runId, bool force = false);
}
